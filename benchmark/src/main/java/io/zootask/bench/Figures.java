package io.zootask.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The run's figures by name, in the order they were measured: the order of latest.json and of the table. */
final class Figures {

    private final Map<String, Double> values = new LinkedHashMap<>();
    /** What is not a number, such as a peer's version: written after the numbers. */
    private final Map<String, String> texts = new LinkedHashMap<>();

    void put(String name, double value) {
        values.put(name, value);
    }

    void putText(String name, String text) {
        texts.put(name, text);
    }

    double get(String name) {
        return values.get(name);
    }

    double getOrDefault(String name, double otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    boolean contains(String name) {
        return values.containsKey(name);
    }

    Map<String, Double> asMap() {
        return Collections.unmodifiableMap(values);
    }

    Map<String, String> texts() {
        return Collections.unmodifiableMap(texts);
    }
}
