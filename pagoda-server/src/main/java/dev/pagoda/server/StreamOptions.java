package dev.pagoda.server;

import com.fasterxml.jackson.databind.JsonNode;

/** {@code stream_options}: a final usage chunk, and/or usage on every chunk; legal only with stream=true. */
record StreamOptions(boolean includeUsage, boolean continuousUsage) {
    static StreamOptions read(Fields f, boolean stream) {
        JsonNode o = f.node("stream_options");
        if (o == null) return new StreamOptions(false, false);
        if (!stream) throw ApiException.badRequest("Stream options can only be defined when stream=True.", "stream_options");
        if (!o.isObject()) throw Fields.wrongType("stream_options", "an object");
        Fields of = new Fields(o);
        return new StreamOptions(of.bool("include_usage", true), of.bool("continuous_usage_stats", false));
    }
}
