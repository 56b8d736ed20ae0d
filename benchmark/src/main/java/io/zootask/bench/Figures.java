package io.zootask.bench;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The run's figures by name, in the order they were measured: the order of latest.json and of the table. */
final class Figures {

    private final Map<String, Double> values = new LinkedHashMap<>();

    void put(String name, double value) {
        values.put(name, value);
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
}
