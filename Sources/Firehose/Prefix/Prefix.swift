// S3-style prefixes with Firehose's expressions, rendered into folders under the table folder.
//
// - `!{timestamp:<java pattern>}`: the arrival time (UTC, or the template's `timeZone`: Firehose's CustomTimeZone)
//   in a java.time pattern subset: `yyyy` `yy` `MM` `M`
//   `dd` `d` `HH` `H` `mm` `ss` `SSS`, `'literal'`, other characters as they are.
// - `!{firehose:random-string}`: 11 random characters `[0-9a-z]`, drawn per delivered file.
// - `!{firehose:error-output-type}`: `format-conversion-failed` / `partitioning-failed` (error prefix only).
// - `!{partitionKeyFromQuery:KEY}`: the value of `--partition-key KEY=QUERY` for the record, escaped as Hive
//   escapes partition values (`%XX` for `/`, `\`, `%`, `:`, `=`, `#`, `?`, `*`, `"`, `'`, `[`, `]`, `^`, `{`,
//   DEL, NUL and control characters; a value of only dots has its dots escaped; an empty value is
//   `__HIVE_DEFAULT_PARTITION__`; longer than 200 bytes: the first 160 bytes and `~` with a 64-bit hash), so a
//   value from a record never leaves the table folder.
// A prefix that does not end in `/` is a file-name prefix (as S3 keys are), e.g. `logs/a-`.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A prefix expression that cannot be used (unknown namespace, bad time pattern, a key outside the error prefix).
public struct PrefixError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, quoting the expression.
    public var message: String
    /// The message.
    public var description: String { message }
}

/// The time zone `!{timestamp:…}` and object names are rendered in (Firehose's `CustomTimeZone`): UTC, or a zone
/// given by its UTC offset at each instant (DST-correct when the offset function follows the tz database; the
/// Firehose module itself has no tz database, `floe serve` builds zones from the system's).
public struct PrefixTimeZone: Sendable {
    /// The zone's name (`UTC`, or an IANA name such as `Asia/Kolkata`).
    public let identifier: String
    let offsetSeconds: (@Sendable (Int64) -> Int)?

    /// UTC (Firehose's default).
    public static let utc = PrefixTimeZone(identifier: "UTC", offset: nil)

    init(identifier: String, offset: (@Sendable (Int64) -> Int)?) {
        self.identifier = identifier
        offsetSeconds = offset
    }

    /// A zone whose offset east of UTC, in seconds, at the instant `millis` (ms since the epoch) is
    /// `offsetSeconds(millis)`.
    public init(identifier: String, offsetSeconds: @escaping @Sendable (Int64) -> Int) {
        self.init(identifier: identifier, offset: offsetSeconds)
    }

    /// The zone's wall-clock time at the UTC instant `millis`, as milliseconds of a UTC clock showing it.
    public func local(_ millis: Int64) -> Int64 {
        guard let f = offsetSeconds else { return millis }
        return millis + Int64(f(millis)) * 1000
    }
}

/// An S3-style prefix with Firehose's `!{...}` expressions, parsed once and rendered per record or file.
public struct PrefixTemplate: Sendable {
    enum Part: Sendable {
        case literal(String)
        case time([TimeToken])
        case random
        case errorType
        case partitionKey(String)
    }
    enum TimeToken: Sendable {
        case year4, year2, month2, month1, day2, day1, hour2, hour1, minute2, second2, millis3
        case literal(String)
    }
    let parts: [Part]
    /// The prefix as given.
    public let text: String
    /// The zone `!{timestamp:…}` is evaluated in (UTC unless set).
    public var timeZone = PrefixTimeZone.utc

    /// Keys used by `!{partitionKeyFromQuery:KEY}`.
    public var partitionKeys: [String] {
        parts.compactMap { if case .partitionKey(let k) = $0 { return k } else { return nil } }
    }
    /// Whether the prefix has `!{firehose:random-string}` (drawn per delivered file).
    public var usesRandom: Bool { parts.contains { if case .random = $0 { return true } else { return false } } }

    /// Parses `text`; `errorPrefix` allows `!{firehose:error-output-type}`, which only the error prefix may use.
    ///
    /// - Throws: ``PrefixError`` for an unknown expression, an unsupported time pattern letter, or an expression the
    ///   kind of prefix does not allow.
    public init(_ text: String, errorPrefix: Bool) throws(PrefixError) {
        self.text = text
        var parts: [Part] = []
        var lit = ""
        var rest = Substring(text)
        while !rest.isEmpty {
            if rest.hasPrefix("!{") {
                guard let close = rest.firstIndex(of: "}") else {
                    throw PrefixError(message: "prefix '\(text)': unclosed '!{'")
                }
                let expr = rest[rest.index(rest.startIndex, offsetBy: 2)..<close]
                rest = rest[rest.index(after: close)...]
                if !lit.isEmpty { parts.append(.literal(lit)); lit = "" }
                let colon = expr.firstIndex(of: ":")
                let ns = colon.map { String(expr[..<$0]) } ?? String(expr)
                let arg = colon.map { String(expr[expr.index(after: $0)...]) } ?? ""
                switch ns {
                case "timestamp":
                    parts.append(.time(try Self.parseTimePattern(arg)))
                case "firehose":
                    switch arg {
                    case "random-string": parts.append(.random)
                    case "error-output-type":
                        guard errorPrefix else {
                            throw PrefixError(message: "prefix '\(text)': !{firehose:error-output-type} is only allowed in the error prefix")
                        }
                        parts.append(.errorType)
                    default: throw PrefixError(message: "prefix '\(text)': unknown expression !{firehose:\(arg)}")
                    }
                case "partitionKeyFromQuery":
                    guard !errorPrefix else {
                        throw PrefixError(message: "error prefix '\(text)': !{partitionKeyFromQuery:…} is not allowed there")
                    }
                    guard !arg.isEmpty else { throw PrefixError(message: "prefix '\(text)': empty partition key name") }
                    parts.append(.partitionKey(arg))
                default:
                    throw PrefixError(message: "prefix '\(text)': unknown namespace '\(ns)' in !{\(expr)}")
                }
            } else {
                lit.append(rest.removeFirst())
            }
        }
        if !lit.isEmpty { parts.append(.literal(lit)) }
        // the literal text must stay inside the table folder
        for p in parts {
            if case .literal(let l) = p {
                if l.hasPrefix("/") && parts.first.map({ if case .literal(let f) = $0 { return f == l } else { return false } }) == true {
                    throw PrefixError(message: "prefix '\(text)' must be relative (no leading '/')")
                }
                if l.utf8.contains(0) { throw PrefixError(message: "prefix '\(text)' contains NUL") }
            }
        }
        for seg in text.split(separator: "/", omittingEmptySubsequences: false) where seg == ".." || seg == "." {
            throw PrefixError(message: "prefix '\(text)': '\(seg)' segments are not allowed")
        }
        self.parts = parts
    }

    static func parseTimePattern(_ p: String) throws(PrefixError) -> [TimeToken] {
        var out: [TimeToken] = []
        let cs = Array(p)
        var i = 0
        while i < cs.count {
            let c = cs[i]
            if c == "'" {
                var j = i + 1
                var lit = ""
                while j < cs.count && cs[j] != "'" { lit.append(cs[j]); j += 1 }
                out.append(.literal(lit.isEmpty ? "'" : lit))
                i = j + 1
                continue
            }
            var j = i
            while j < cs.count && cs[j] == c { j += 1 }
            let n = j - i
            if c.isLetter {
                switch (c, n) {
                case ("y", 4), ("u", 4), ("y", 1), ("u", 1): out.append(.year4)
                case ("y", 2), ("u", 2): out.append(.year2)
                case ("M", 2): out.append(.month2)
                case ("M", 1): out.append(.month1)
                case ("d", 2): out.append(.day2)
                case ("d", 1): out.append(.day1)
                case ("H", 2): out.append(.hour2)
                case ("H", 1): out.append(.hour1)
                case ("m", 2): out.append(.minute2)
                case ("s", 2): out.append(.second2)
                case ("S", 3): out.append(.millis3)
                default:
                    throw PrefixError(message: "timestamp pattern '\(p)': unsupported letters '\(String(repeating: c, count: n))'")
                }
            } else {
                out.append(.literal(String(repeating: c, count: n)))
            }
            i = j
        }
        return out
    }

    static func two(_ v: Int) -> String { v < 10 ? "0\(v)" : "\(v)" }

    static func format(_ tokens: [TimeToken], millis: Int64) -> String {
        let days = Int((millis >= 0 ? millis : millis - 86_399_999) / 86_400_000)
        let msOfDay = Int(millis - Int64(days) * 86_400_000)
        let (y, m, d) = Coercion.civil(fromDays: days)
        let hh = msOfDay / 3_600_000, mi = msOfDay / 60_000 % 60, ss = msOfDay / 1000 % 60, ms = msOfDay % 1000
        var s = ""
        for t in tokens {
            switch t {
            case .year4: s += y < 1000 ? String(repeating: "0", count: 4 - String(y).count) + String(y) : String(y)
            case .year2: s += two(y % 100)
            case .month2: s += two(m)
            case .month1: s += String(m)
            case .day2: s += two(d)
            case .day1: s += String(d)
            case .hour2: s += two(hh)
            case .hour1: s += String(hh)
            case .minute2: s += two(mi)
            case .second2: s += two(ss)
            case .millis3: s += ms < 10 ? "00\(ms)" : ms < 100 ? "0\(ms)" : "\(ms)"
            case .literal(let l): s += l
            }
        }
        return s
    }

    /// Marker left in a rendered prefix where `!{firehose:random-string}` goes (replaced per file).
    public static let randomMarker = "\u{1}R\u{1}"

    /// The prefix for a record: arrival time (epoch ms), partition key values (raw; escaped here) and, for the
    /// error prefix, the error output type.
    public func render(arrival: Int64, keys: [String: String] = [:], errorType: String = "") -> String {
        var s = ""
        let local = timeZone.local(arrival)
        for p in parts {
            switch p {
            case .literal(let l): s += l
            case .time(let t): s += Self.format(t, millis: local)
            case .random: s += Self.randomMarker
            case .errorType: s += errorType
            case .partitionKey(let k): s += Self.escapePartitionValue(keys[k] ?? "")
            }
        }
        return s
    }

    /// Replaces the random-string markers (once per delivered file).
    public static func resolveRandom(_ prefix: String) -> String {
        guard prefix.contains(randomMarker) else { return prefix }
        var out = ""
        var rest = Substring(prefix)
        while let r = rest.firstRange(of: randomMarker) {
            out += rest[..<r.lowerBound]
            out += randomString(11)
            rest = rest[r.upperBound...]
        }
        return out + rest
    }

    /// `n` random characters from `[0-9a-z]` (system random generator).
    public static func randomString(_ n: Int) -> String {
        let chars = Array("0123456789abcdefghijklmnopqrstuvwxyz")
        var g = SystemRandomNumberGenerator()
        return String((0..<n).map { _ in chars[Int(g.next() % UInt64(chars.count))] })
    }

    /// Hive's partition-value escaping (FileUtils.escapePathName) plus the rules that keep a value one path
    /// segment inside the table folder.
    public static func escapePartitionValue(_ v: String) -> String {
        if v.isEmpty { return "__HIVE_DEFAULT_PARTITION__" }
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        let allDots = v.utf8.allSatisfy { $0 == UInt8(ascii: ".") }
        for c in v.utf8 {
            let esc: Bool
            switch c {
            case 0..<0x20, 0x7F: esc = true
            case UInt8(ascii: "\""), UInt8(ascii: "#"), UInt8(ascii: "%"), UInt8(ascii: "'"), UInt8(ascii: "*"),
                 UInt8(ascii: "/"), UInt8(ascii: ":"), UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "\\"),
                 UInt8(ascii: "{"), UInt8(ascii: "["), UInt8(ascii: "]"), UInt8(ascii: "^"):
                esc = true
            case UInt8(ascii: "."): esc = allDots
            default: esc = false
            }
            if esc {
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(c >> 4)])
                out.append(hex[Int(c & 15)])
            } else {
                out.append(c)
            }
        }
        if out.count > 200 {
            // keep whole UTF-8 sequences in the kept prefix
            var cut = 160
            while cut > 0 && out[cut] & 0xC0 == 0x80 { cut -= 1 }
            var h: UInt64 = 0xcbf29ce484222325
            for c in v.utf8 { h = (h ^ UInt64(c)) &* 0x100000001b3 }
            let hs = String(h, radix: 16)
            out = Array(out[..<cut]) + Array("~".utf8) + Array((String(repeating: "0", count: 16 - hs.count) + hs).utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }
}

/// File names: `<stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>`.
public enum ObjectName {
    /// A file name without extension: `<stream>-1-yyyy-MM-dd-HH-mm-ss-<uuid>` for the time `millis` in `zone`
    /// (Firehose renders the suffix's time in the stream's CustomTimeZone too); with a `tag` (8 hex digits), the
    /// uuid's first group is the tag, so that the objects of one checkpointed run can be told apart from others'
    /// (ObjectDeliveryTarget).
    public static func make(stream: String, millis: Int64, tag: String? = nil, zone: PrefixTimeZone = .utc) -> String {
        let t = try! PrefixTemplate.parseTimePattern("yyyy-MM-dd-HH-mm-ss")
        var id = uuid()
        if let tag, tag.utf8.count == 8 { id = tag + id.dropFirst(8) }
        return "\(stream)-1-\(PrefixTemplate.format(t, millis: zone.local(millis)))-\(id)"
    }

    /// Whether the last component of `key` is a name made with `tag`.
    static func carries(tag: String, key: String) -> Bool {
        let name = key.split(separator: "/").last.map(String.init) ?? key
        // ...-ss-<tag>-xxxx-4xxx-yxxx-xxxxxxxxxxxx[.parquet]
        var base = Substring(name)
        if base.hasSuffix(".parquet") { base = base.dropLast(8) }
        let parts = base.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count >= 5 && parts[parts.count - 5] == tag
    }

    /// A random version 4 UUID in lower-case hex with dashes.
    public static func uuid() -> String {
        var g = SystemRandomNumberGenerator()
        var b = (0..<16).map { _ in UInt8(truncatingIfNeeded: g.next() as UInt64) }
        b[6] = b[6] & 0x0F | 0x40
        b[8] = b[8] & 0x3F | 0x80
        let hex = Array("0123456789abcdef")
        var s = ""
        for (i, x) in b.enumerated() {
            if i == 4 || i == 6 || i == 8 || i == 10 { s += "-" }
            s.append(hex[Int(x >> 4)])
            s.append(hex[Int(x & 15)])
        }
        return s
    }
}
