// Module JSON: byte-level RFC 8259 parser, NDJSON reader and serializer (see README, "Architecture").
public enum JSONModule {
    public static let name = "JSON"
}
