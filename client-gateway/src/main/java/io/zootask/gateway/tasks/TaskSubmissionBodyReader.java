package io.zootask.gateway.tasks;

import io.zootask.gateway.errors.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DeserializationContext;
import tools.jackson.databind.ValueDeserializer;

/**
 * Reads one task exactly as {@link StrictSubmitTaskRequestReader} always has, or an array of them: every element read
 * the same strict way, and a refusal names the element's index ({@code [2]: priority must be...}) so that the client
 * knows which one of its tasks to fix. Stops at the first element past {@link TaskSubmissionBody#MAX_BATCH} rather
 * than read the rest.
 */
final class TaskSubmissionBodyReader extends ValueDeserializer<TaskSubmissionBody> {

    private final StrictSubmitTaskRequestReader task = new StrictSubmitTaskRequestReader();

    @Override
    public TaskSubmissionBody deserialize(JsonParser p, DeserializationContext ctxt) {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            return new TaskSubmissionBody(task.deserialize(p, ctxt), null); // refuses anything but an object
        }
        List<SubmitTaskRequest> tasks = new ArrayList<>();
        for (JsonToken element = p.nextToken(); element != JsonToken.END_ARRAY; element = p.nextToken()) {
            int index = tasks.size();
            if (index == TaskSubmissionBody.MAX_BATCH) {
                throw new InvalidRequestException("a batch holds at most " + TaskSubmissionBody.MAX_BATCH
                        + " tasks; this one has more: split it into several requests. Nothing was created");
            }
            if (element != JsonToken.START_OBJECT) {
                throw new InvalidRequestException(at(index, "each task must be a JSON object such as"
                        + " {\"command\":[\"echo\",\"hello\"]}"));
            }
            try {
                tasks.add(task.deserialize(p, ctxt));
            } catch (InvalidRequestException refused) {
                throw new InvalidRequestException(at(index, refused.getMessage()));
            }
        }
        if (tasks.isEmpty()) {
            throw new InvalidRequestException("the batch is empty: give at least one task, such as"
                    + " [{\"command\":[\"echo\",\"hello\"]}]");
        }
        return new TaskSubmissionBody(null, tasks);
    }

    /** A refusal of the batch's {@code index}-th task; nothing of the batch is created. */
    static String at(int index, String problem) {
        return "[" + index + "]: " + problem + "; nothing of the batch was created";
    }
}
