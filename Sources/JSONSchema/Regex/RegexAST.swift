// Abstract syntax of an ECMA-262 (u-mode) regular expression and its character sets.

/// A parsed regular-expression node.
indirect enum RegexNode: Sendable {
    case empty
    /// A single Unicode scalar (code point).
    case char(UInt32)
    /// A character class; index into the parse result's `sets`.
    case set(Int)
    /// `.`: any scalar except line terminators.
    case dot
    case concat([RegexNode])
    case alternation([RegexNode])
    /// A group; `capture` is the 1-based capture index, or nil for `(?:…)`.
    case group(RegexNode, capture: Int?)
    case quantified(RegexNode, min: Int, max: Int?, greedy: Bool, firstCapture: Int, lastCapture: Int)
    case lineStart
    case lineEnd
    case wordBoundary(negated: Bool)
    case look(RegexNode, behind: Bool, negated: Bool)
    case backreference(Int)

    /// True when the node (or a descendant) needs the backtracking engine.
    var needsBacktracking: Bool {
        switch self {
        case .backreference, .look: return true
        case .concat(let xs), .alternation(let xs): return xs.contains { $0.needsBacktracking }
        case .group(let n, _): return n.needsBacktracking
        case .quantified(let n, _, _, _, _, _): return n.needsBacktracking
        default: return false
        }
    }

    /// True when every match of the node must begin at input position 0.
    var isAnchoredAtStart: Bool {
        switch self {
        case .lineStart: return true
        case .concat(let xs):
            for x in xs {
                switch x {
                case .lineStart: return true
                case .wordBoundary, .look: continue  // zero-width, keep looking
                default: return x.isAnchoredAtStart
                }
            }
            return false
        case .alternation(let xs): return !xs.isEmpty && xs.allSatisfy { $0.isAnchoredAtStart }
        case .group(let n, _): return n.isAnchoredAtStart
        case .quantified(let n, let min, _, _, _, _): return min > 0 && n.isAnchoredAtStart
        default: return false
        }
    }
}

/// A Unicode property test used inside character sets (`\p{…}`, `\P{…}`).
enum UnicodePropertyTest: Sendable, Equatable {
    /// Bit mask over `Unicode.GeneralCategory` ordinals (see `UnicodeProperties.gcOrdinal`).
    case generalCategory(UInt32)
    /// Explicit sorted, non-overlapping ranges (scripts, derived properties).
    case ranges([ClosedRange<UInt32>])
    case binary(BinaryProperty)

    func contains(_ c: UInt32) -> Bool {
        switch self {
        case .generalCategory(let mask):
            guard let s = Unicode.Scalar(c) else { return mask & (1 << UnicodeProperties.surrogateOrdinal) != 0 }
            return mask & (1 << UnicodeProperties.gcOrdinal(s.properties.generalCategory)) != 0
        case .ranges(let rs):
            return CharSet.rangesContain(rs, c)
        case .binary(let p):
            return p.contains(c)
        }
    }
}

/// A set of scalars: explicit ranges plus property tests, optionally negated as a whole.
struct CharSet: Sendable {
    var ranges: [ClosedRange<UInt32>] = []
    var properties: [(test: UnicodePropertyTest, negated: Bool)] = []
    var negated = false
    /// Membership for ASCII (bit i of lo/hi), precomputed by `finalize()`.
    private var asciiLo: UInt64 = 0
    private var asciiHi: UInt64 = 0

    init() {}

    init(ranges: [ClosedRange<UInt32>], negated: Bool = false) {
        self.ranges = ranges
        self.negated = negated
        finalize()
    }

    mutating func add(_ c: UInt32) { ranges.append(c...c) }
    mutating func add(_ r: ClosedRange<UInt32>) { ranges.append(r) }

    /// Sorts and merges ranges and precomputes the ASCII bitmap.
    mutating func finalize() {
        ranges = CharSet.normalize(ranges)
        asciiLo = 0; asciiHi = 0
        for c in UInt32(0)..<128 where slowContains(c) {
            if c < 64 { asciiLo |= 1 << UInt64(c) } else { asciiHi |= 1 << UInt64(c - 64) }
        }
    }

    @inline(__always)
    func contains(_ c: UInt32) -> Bool {
        if c < 64 { return asciiLo & (1 << UInt64(c)) != 0 }
        if c < 128 { return asciiHi & (1 << UInt64(c - 64)) != 0 }
        return slowContains(c)
    }

    private func slowContains(_ c: UInt32) -> Bool {
        var inside = CharSet.rangesContain(ranges, c)
        if !inside {
            for p in properties where p.test.contains(c) != p.negated { inside = true; break }
        }
        return inside != negated
    }

    static func rangesContain(_ rs: [ClosedRange<UInt32>], _ c: UInt32) -> Bool {
        var lo = 0, hi = rs.count - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            let r = rs[mid]
            if c < r.lowerBound { hi = mid - 1 } else if c > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    static func normalize(_ rs: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        let sorted = rs.sorted { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        out.reserveCapacity(sorted.count)
        for r in sorted {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                if r.upperBound > last.upperBound { out[out.count - 1] = last.lowerBound...r.upperBound }
            } else {
                out.append(r)
            }
        }
        return out
    }

    static func complement(_ rs: [ClosedRange<UInt32>]) -> [ClosedRange<UInt32>] {
        var out: [ClosedRange<UInt32>] = []
        var next: UInt32 = 0
        for r in rs {
            if r.lowerBound > next { out.append(next...(r.lowerBound - 1)) }
            next = r.upperBound &+ 1
            if r.upperBound >= 0x10FFFF { return out }
        }
        if next <= 0x10FFFF { out.append(next...0x10FFFF) }
        return out
    }

    // Standard escapes.
    static let digitRanges: [ClosedRange<UInt32>] = [0x30...0x39]
    static let wordRanges: [ClosedRange<UInt32>] = [0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A]
    /// ECMA-262 WhiteSpace and LineTerminator (Zs as of Unicode 15).
    static let spaceRanges: [ClosedRange<UInt32>] = [
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
        0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ]

    @inline(__always)
    static func isLineTerminator(_ c: UInt32) -> Bool {
        c == 0x0A || c == 0x0D || c == 0x2028 || c == 0x2029
    }

    @inline(__always)
    static func isWordChar(_ c: UInt32) -> Bool {
        (c >= 0x61 && c <= 0x7A) || (c >= 0x41 && c <= 0x5A) || (c >= 0x30 && c <= 0x39) || c == 0x5F
    }
}
