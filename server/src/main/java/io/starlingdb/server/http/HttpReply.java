package io.starlingdb.server.http;

/** What an HTTP endpoint answers: a status, a content type and a UTF-8 body. */
public record HttpReply(int status, String contentType, String body) {

    public static HttpReply json(int status, String body) {
        return new HttpReply(status, "application/json; charset=utf-8", body);
    }

    public static HttpReply text(int status, String body) {
        return new HttpReply(status, "text/plain; charset=utf-8", body);
    }
}
