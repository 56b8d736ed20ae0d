package io.zootask.gateway.events;

/** What the feed reads off znodes, which foreign clients may have written too. */
final class FeedData {

    interface Decoder<T> {
        T decode(byte[] data);
    }

    private FeedData() {
    }

    /** The decoded data, or null: empty, or not ours to describe (a foreign client's znode). */
    static <T> T decode(byte[] data, Decoder<T> decoder) {
        if (data == null || data.length == 0) {
            return null;
        }
        try {
            return decoder.decode(data);
        } catch (RuntimeException unreadable) {
            return null; // no event rather than a wrong one
        }
    }

    /** 1 for a child of a tree's root ({@code /tasks/<id>}), 2 for a grandchild ({@code /assign/<w>/<id>}). */
    static int depth(String path) {
        int slashes = 0;
        for (int i = 0; i < path.length(); i++) {
            if (path.charAt(i) == '/') {
                slashes++;
            }
        }
        return slashes - 1;
    }
}
