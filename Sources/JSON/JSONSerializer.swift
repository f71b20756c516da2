// Compact serializer.

/// Writes compact JSON (no whitespace) with the escaping of `canonical-jsonl.md`:
/// `\"` `\\` `\n` `\r` `\t` `\b` `\f`, other U+0000…U+001F as `\u00xx` (lowercase hex); nothing else is
/// escaped (`/`, U+007F and non-ASCII are written raw). Numbers are written as their literal text, object
/// members in order. Iterative, so any depth is fine.
public enum JSONSerializer {
    /// The compact UTF-8 JSON of `value`. Linear in the output size.
    public static func serialize(_ value: JSONValue) -> [UInt8] {
        var out: [UInt8] = []
        serialize(value, into: &out)
        return out
    }

    /// The compact JSON of `value` as a `String`.
    public static func string(_ value: JSONValue) -> String {
        String(decoding: serialize(value), as: UTF8.self)
    }

    private enum Work {
        case value(JSONValue)
        case byte(UInt8)
        case key(String)
    }

    /// Appends the serialization of `value` to `out`.
    public static func serialize(_ value: JSONValue, into out: inout [UInt8]) {
        var work: [Work] = [.value(value)]
        while let item = work.popLast() {
            switch item {
            case .byte(let b):
                out.append(b)
            case .key(let k):
                appendString(k, to: &out)
                out.append(UInt8(ascii: ":"))
            case .value(let v):
                switch v {
                case .null: out.append(contentsOf: "null".utf8)
                case .bool(let b): out.append(contentsOf: b ? "true".utf8 : "false".utf8)
                case .number(let n): out.append(contentsOf: n.text.utf8)
                case .string(let s): appendString(s, to: &out)
                case .array(let a):
                    out.append(UInt8(ascii: "["))
                    work.append(.byte(UInt8(ascii: "]")))
                    var i = a.count - 1
                    while i >= 0 {
                        work.append(.value(a[i]))
                        if i > 0 { work.append(.byte(UInt8(ascii: ","))) }
                        i -= 1
                    }
                case .object(let o):
                    out.append(UInt8(ascii: "{"))
                    work.append(.byte(UInt8(ascii: "}")))
                    let m = o.members
                    var i = m.count - 1
                    while i >= 0 {
                        work.append(.value(m[i].value))
                        work.append(.key(m[i].key))
                        if i > 0 { work.append(.byte(UInt8(ascii: ","))) }
                        i -= 1
                    }
                }
            }
        }
    }

    /// Appends `s` as a quoted, escaped JSON string.
    public static func appendString(_ s: String, to out: inout [UInt8]) {
        var s = s
        s.withUTF8 { appendString(UnsafeRawBufferPointer($0), to: &out) }
    }

    /// Appends the UTF-8 bytes `utf8` as a quoted, escaped JSON string (bytes are not validated).
    public static func appendString(_ utf8: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        let n = utf8.count
        var i = 0
        while i < n {
            let b = utf8[i]
            if b >= 0x20 && b != 0x22 && b != 0x5C {
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            switch b {
            case 0x22: out.append(0x22)
            case 0x5C: out.append(0x5C)
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            default:
                let hex: [UInt8] = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [UInt8(ascii: "u"), 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
            }
            i += 1
            runStart = i
        }
        if runStart < n { out.append(contentsOf: UnsafeRawBufferPointer(rebasing: utf8[runStart..<n])) }
        out.append(UInt8(ascii: "\""))
    }
}
