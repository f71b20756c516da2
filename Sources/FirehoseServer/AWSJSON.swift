// The AWS JSON 1.1 protocol as Firehose speaks it: `POST /` with `X-Amz-Target: Firehose_20150804.<Operation>`,
// `Content-Type: application/x-amz-json-1.1`; success bodies are compact JSON, errors are
// `{"__type":"<Code>","message":"…"}` with the code in `x-amzn-ErrorType` as well.

import JSON

/// An error answered to the client, with the HTTP status AWS uses for it.
public struct AWSError: Error, CustomStringConvertible, Sendable {
    /// The error code (`__type` and `x-amzn-ErrorType`), e.g. `ResourceNotFoundException`.
    public var code: String
    /// The human-readable message (`message`).
    public var message: String
    /// The HTTP status code of the answer.
    public var status: Int

    /// An error answered with `code`, `message` and HTTP `status` (400 unless given).
    public init(_ code: String, _ message: String, status: Int = 400) {
        self.code = code
        self.message = message
        self.status = status
    }

    /// `<code>: <message>`.
    public var description: String { "\(code): \(message)" }

    /// The answer's body: `{"__type":"<code>","message":"<message>"}`.
    public var body: [UInt8] {
        JSONSerializer.serialize(.object(JSONObject([("__type", .string(code)), ("message", .string(message))])))
    }

    static func notFound(_ name: String, account: String) -> AWSError {
        AWSError("ResourceNotFoundException", "Firehose \(name) under account \(account) not found.")
    }
    static func inUse(_ name: String, account: String) -> AWSError {
        AWSError("ResourceInUseException", "Firehose \(name) under accountId \(account) already exists")
    }
    static func invalid(_ message: String) -> AWSError { AWSError("InvalidArgumentException", message) }
    static func validation(_ errors: [String]) -> AWSError {
        let n = errors.count
        return AWSError("ValidationException",
                        "\(n) validation error\(n == 1 ? "" : "s") detected: " + errors.joined(separator: "; "))
    }
    /// One constraint failure in AWS's wording: `Value 'v' at 'field' failed to satisfy constraint: …`.
    static func constraint(_ value: String, at field: String, _ rule: String) -> String {
        "Value '\(value)' at '\(field)' failed to satisfy constraint: \(rule)"
    }
    static let slowDown = AWSError("ServiceUnavailableException", "Slow down.", status: 503)
    static func serialization(_ message: String) -> AWSError { AWSError("SerializationException", message) }
}

/// Typed access to a request's JSON members with AWS's type errors.
struct Request {
    let object: JSONObject

    init(body: UnsafeRawBufferPointer) throws(AWSError) {
        if body.isEmpty { object = JSONObject(); return }
        guard let v = try? JSONParser.parse(body) else {
            throw AWSError.serialization("Start of structure or map found where not expected.")
        }
        guard case .object(let o) = v else { throw AWSError.serialization("Start of structure or map expected.") }
        object = o
    }

    init(object: JSONObject) { self.object = object }

    subscript(_ key: String) -> JSONValue? {
        if let v = object[key], !v.isNull { return v }
        return nil
    }

    func string(_ key: String) throws(AWSError) -> String? {
        guard let v = self[key] else { return nil }
        guard case .string(let s) = v else { throw AWSError.serialization("STRING_VALUE can not be converted to a String for \(key)") }
        return s
    }

    func requiredString(_ key: String, field: String) throws(AWSError) -> String {
        guard let s = try string(key) else {
            throw AWSError.validation([AWSError.constraint("null", at: field, "Member must not be null")])
        }
        return s
    }

    func int(_ key: String) throws(AWSError) -> Int? {
        guard let v = self[key] else { return nil }
        guard case .number(let n) = v, let i = n.int64, i >= Int64(Int32.min), i <= Int64(Int32.max) else {
            throw AWSError.serialization("NUMBER_VALUE can not be converted to an Integer for \(key)")
        }
        return Int(i)
    }

    func bool(_ key: String) throws(AWSError) -> Bool? {
        guard let v = self[key] else { return nil }
        guard case .bool(let b) = v else { throw AWSError.serialization("Boolean value expected for \(key)") }
        return b
    }

    func object(_ key: String) throws(AWSError) -> Request? {
        guard let v = self[key] else { return nil }
        guard case .object(let o) = v else { throw AWSError.serialization("Start of structure or map expected for \(key)") }
        return Request(object: o)
    }

    func array(_ key: String) throws(AWSError) -> [JSONValue]? {
        guard let v = self[key] else { return nil }
        guard case .array(let a) = v else { throw AWSError.serialization("Start of list expected for \(key)") }
        return a
    }
}

/// Standard base64 (RFC 4648 §4) decoding of a JSON string's bytes, as AWS JSON carries blobs; nil when malformed.
enum Base64 {
    static let table: [UInt8] = {
        var t = [UInt8](repeating: 0xFF, count: 256)
        for (i, c) in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8.enumerated() {
            t[Int(c)] = UInt8(i)
        }
        return t
    }()

    /// Appends the decoded bytes of `s` to `out`; false when `s` is not base64.
    static func decode(_ s: String, into out: inout [UInt8]) -> Bool {
        var s = s
        return s.withUTF8 { p in
            var n = p.count
            while n > 0 && p[n - 1] == UInt8(ascii: "=") { n -= 1 }
            if p.count % 4 != 0 || p.count - n > 2 { return false }
            out.reserveCapacity(out.count + n * 3 / 4)
            var acc: UInt32 = 0
            var bits = 0
            return table.withUnsafeBufferPointer { t in
                for i in 0..<n {
                    let v = t[Int(p[i])]
                    if v == 0xFF { return false }
                    acc = (acc << 6) | UInt32(v)
                    bits += 6
                    if bits >= 8 {
                        bits -= 8
                        out.append(UInt8(truncatingIfNeeded: acc >> UInt32(bits)))
                    }
                }
                return true
            }
        }
    }
}
