// Parser for ECMA-262 regular expressions with the `u` flag (Pattern[+UnicodeMode, +NamedCaptureGroups]).

/// A pattern that is not a valid ECMA-262 (u-mode) regular expression.
public struct RegexSyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong (`unterminated group`).
    public let message: String
    /// Offset of the error in the pattern, counted in Unicode scalars.
    public let position: Int

    /// An error at `position` (in Unicode scalars) of the pattern.
    public init(_ message: String, at position: Int) {
        self.message = message
        self.position = position
    }

    /// `invalid regular expression at offset N: message`.
    public var description: String { "invalid regular expression at offset \(position): \(message)" }
}

struct ParsedRegex: Sendable {
    var root: RegexNode
    var sets: [CharSet]
    var captureCount: Int
    var groupNames: [String: Int]
}

struct RegexParser {
    private let s: [UInt32]
    private var i = 0
    private var sets: [CharSet] = []
    private var captureCount = 0
    private var totalCaptures = 0
    private var names: [String: Int] = [:]
    private var declaredNames: Set<String> = []
    private var hasNamedGroups = false

    init(_ pattern: String) {
        s = pattern.unicodeScalars.map { $0.value }
    }

    static func parse(_ pattern: String) throws(RegexSyntaxError) -> ParsedRegex {
        var p = RegexParser(pattern)
        return try p.run()
    }

    // MARK: helpers

    private var atEnd: Bool { i >= s.count }
    private func peek(_ k: Int = 0) -> UInt32? { i + k < s.count ? s[i + k] : nil }
    private func fail(_ m: String, _ at: Int? = nil) -> RegexSyntaxError { RegexSyntaxError(m, at: at ?? i) }
    private mutating func eat(_ c: Character) -> Bool {
        if let x = peek(), x == c.unicodeScalars.first!.value { i += 1; return true }
        return false
    }
    private static func ch(_ c: Character) -> UInt32 { c.unicodeScalars.first!.value }

    private static func isSyntaxChar(_ c: UInt32) -> Bool {
        switch c {
        case 0x5E, 0x24, 0x5C, 0x2E, 0x2A, 0x2B, 0x3F, 0x28, 0x29, 0x5B, 0x5D, 0x7B, 0x7D, 0x7C: return true  // ^$\.*+?()[]{}|
        default: return false
        }
    }

    private static func hexValue(_ c: UInt32) -> UInt32? {
        switch c {
        case 0x30...0x39: return c - 0x30
        case 0x41...0x46: return c - 0x41 + 10
        case 0x61...0x66: return c - 0x61 + 10
        default: return nil
        }
    }

    private static func isDigit(_ c: UInt32?) -> Bool { c.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }

    // MARK: pre-scan

    /// Counts capturing groups and collects group names so that forward references resolve.
    private mutating func prescan() {
        var k = 0
        var inClass = false
        while k < s.count {
            let c = s[k]
            if c == 0x5C { k += 2; continue }
            if inClass {
                if c == 0x5D { inClass = false }
            } else if c == 0x5B {
                inClass = true
            } else if c == 0x28 {
                if k + 1 < s.count && s[k + 1] == 0x3F {
                    if k + 2 < s.count && s[k + 2] == 0x3C && k + 3 < s.count && s[k + 3] != 0x3D && s[k + 3] != 0x21 {
                        totalCaptures += 1
                        hasNamedGroups = true
                    }
                } else {
                    totalCaptures += 1
                }
            }
            k += 1
        }
    }

    // MARK: grammar

    private mutating func run() throws(RegexSyntaxError) -> ParsedRegex {
        prescan()
        let root = try parseDisjunction()
        if !atEnd {
            if s[i] == 0x29 { throw fail("unmatched ')'") }
            throw fail("unexpected character")
        }
        // Every \\k<name> must name a declared group.
        for n in pendingNames where names[n] == nil {
            throw fail("reference to undefined group name '\(n)'", 0)
        }
        let resolved = pendingNames.isEmpty ? root : RegexParser.resolveNames(root, pendingNames, names)
        for k in 0..<sets.count { sets[k].finalize() }
        return ParsedRegex(root: resolved, sets: sets, captureCount: captureCount, groupNames: names)
    }

    private mutating func parseDisjunction() throws(RegexSyntaxError) -> RegexNode {
        var alts: [RegexNode] = [try parseAlternative()]
        while eat("|") { alts.append(try parseAlternative()) }
        return alts.count == 1 ? alts[0] : .alternation(alts)
    }

    private mutating func parseAlternative() throws(RegexSyntaxError) -> RegexNode {
        var terms: [RegexNode] = []
        while let c = peek(), c != 0x7C, c != 0x29 {
            terms.append(try parseTerm())
        }
        switch terms.count {
        case 0: return .empty
        case 1: return terms[0]
        default: return .concat(terms)
        }
    }

    private mutating func parseTerm() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        let c = s[i]
        // Assertions.
        switch c {
        case 0x5E: i += 1; return try noQuantifier(.lineStart)
        case 0x24: i += 1; return try noQuantifier(.lineEnd)
        case 0x5C:
            if peek(1) == RegexParser.ch("b") { i += 2; return try noQuantifier(.wordBoundary(negated: false)) }
            if peek(1) == RegexParser.ch("B") { i += 2; return try noQuantifier(.wordBoundary(negated: true)) }
        case 0x28:
            if peek(1) == 0x3F {
                let k = peek(2)
                var behind = false, negated = false, isLook = false
                if k == RegexParser.ch("=") { isLook = true; i += 3 }
                else if k == RegexParser.ch("!") { isLook = true; negated = true; i += 3 }
                else if k == 0x3C && peek(3) == RegexParser.ch("=") { isLook = true; behind = true; i += 4 }
                else if k == 0x3C && peek(3) == RegexParser.ch("!") { isLook = true; behind = true; negated = true; i += 4 }
                if isLook {
                    let body = try parseDisjunction()
                    if !eat(")") { throw fail("missing ')'", start) }
                    return try noQuantifier(.look(body, behind: behind, negated: negated))
                }
            }
        default: break
        }
        let capturesBefore = captureCount
        let atom = try parseAtom()
        return try parseQuantifier(atom, capturesBefore: capturesBefore)
    }

    /// Assertions cannot be quantified in u-mode.
    private mutating func noQuantifier(_ n: RegexNode) throws(RegexSyntaxError) -> RegexNode {
        if let c = peek(), c == 0x2A || c == 0x2B || c == 0x3F || (c == 0x7B && looksLikeBraceQuantifier()) {
            throw fail("nothing to repeat")
        }
        if let c = peek(), c == 0x7B { throw fail("lone '{'") }
        return n
    }

    private func looksLikeBraceQuantifier() -> Bool {
        var k = i + 1
        var digits = 0
        while k < s.count, RegexParser.isDigit(s[k]) { k += 1; digits += 1 }
        return digits > 0
    }

    private mutating func parseDecimal() -> Int? {
        var v = 0
        var any = false
        while let c = peek(), RegexParser.isDigit(c) {
            any = true
            v = v > 100_000_000 ? v : v * 10 + Int(c - 0x30)
            i += 1
        }
        return any ? v : nil
    }

    private mutating func parseQuantifier(_ atom: RegexNode, capturesBefore: Int) throws(RegexSyntaxError) -> RegexNode {
        guard let c = peek() else { return atom }
        let start = i
        var min = 0
        var max: Int? = nil
        switch c {
        case 0x2A: i += 1
        case 0x2B: i += 1; min = 1
        case 0x3F: i += 1; max = 1
        case 0x7B:
            i += 1
            guard let lo = parseDecimal() else { throw fail("lone '{'", start) }
            min = lo
            if eat(",") {
                if let hi = parseDecimal() { max = hi } else { max = nil }
            } else {
                max = lo
            }
            if !eat("}") { throw fail("incomplete quantifier", start) }
            if let m = max, m < min { throw fail("numbers out of order in {} quantifier", start) }
        default:
            return atom
        }
        let greedy = !eat("?")
        if let n = peek(), n == 0x2A || n == 0x2B || n == 0x3F || n == 0x7B {
            throw fail("nothing to repeat")
        }
        return .quantified(atom, min: min, max: max, greedy: greedy,
                           firstCapture: capturesBefore + 1, lastCapture: captureCount)
    }

    private mutating func parseAtom() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        let c = s[i]
        switch c {
        case 0x2E: i += 1; return .dot
        case 0x28:
            i += 1
            if eat("?") {
                if eat(":") {
                    let body = try parseDisjunction()
                    if !eat(")") { throw fail("missing ')'", start) }
                    return .group(body, capture: nil)
                }
                if eat("<") {
                    let name = try parseGroupName()
                    if declaredNames.contains(name) { throw fail("duplicate group name '\(name)'", start) }
                    declaredNames.insert(name)
                    captureCount += 1
                    let index = captureCount
                    names[name] = index
                    let body = try parseDisjunction()
                    if !eat(")") { throw fail("missing ')'", start) }
                    return .group(body, capture: index)
                }
                throw fail("invalid group", start)
            }
            captureCount += 1
            let index = captureCount
            let body = try parseDisjunction()
            if !eat(")") { throw fail("missing ')'", start) }
            return .group(body, capture: index)
        case 0x5B:
            return try parseClass()
        case 0x5C:
            return try parseAtomEscape()
        case 0x2A, 0x2B, 0x3F:
            throw fail("nothing to repeat")
        case 0x7B:
            throw fail(looksLikeBraceQuantifier() ? "nothing to repeat" : "lone '{'")
        case 0x7D: throw fail("lone '}'")
        case 0x5D: throw fail("lone ']'")
        case 0x29: throw fail("unmatched ')'")
        default:
            i += 1
            return .char(combineSurrogates(c))
        }
    }

    /// A literal high surrogate followed by a low surrogate in the pattern is one code point
    /// (cannot occur in a Swift string, kept for completeness).
    private mutating func combineSurrogates(_ c: UInt32) -> UInt32 { c }

    private mutating func parseGroupName() throws(RegexSyntaxError) -> String {
        let start = i
        var scalars = String.UnicodeScalarView()
        var first = true
        while true {
            guard var c = peek() else { throw fail("unterminated group name", start) }
            if c == 0x3E { i += 1; break }
            if c == 0x5C {
                // \u escape in an identifier
                i += 1
                guard eat("u") else { throw fail("invalid escape in group name") }
                guard let v = try parseUnicodeEscapeBody() else { throw fail("invalid escape in group name") }
                c = v
            } else {
                i += 1
            }
            guard let u = Unicode.Scalar(c) else { throw fail("invalid group name", start) }
            let ok = first
                ? (u.properties.isIDStart || c == 0x24 || c == 0x5F)
                : (u.properties.isIDContinue || c == 0x24 || c == 0x200C || c == 0x200D)
            if !ok { throw fail("invalid group name", start) }
            scalars.append(u)
            first = false
        }
        if first { throw fail("empty group name", start) }
        return String(scalars)
    }

    /// After `\u`: `{hex}` or `XXXX` (with surrogate pair combining). Returns nil if malformed.
    private mutating func parseUnicodeEscapeBody() throws(RegexSyntaxError) -> UInt32? {
        if eat("{") {
            var v: UInt32 = 0
            var n = 0
            while let c = peek(), let h = RegexParser.hexValue(c) {
                v = v * 16 + h
                if v > 0x10FFFF { throw fail("code point out of range") }
                n += 1; i += 1
            }
            if n == 0 || !eat("}") { return nil }
            return v
        }
        guard let v = hex4(at: i) else { return nil }
        i += 4
        if v >= 0xD800 && v <= 0xDBFF, peek() == 0x5C, peek(1) == RegexParser.ch("u"), let lo = hex4(at: i + 2),
           lo >= 0xDC00 && lo <= 0xDFFF {
            i += 6
            return 0x10000 + ((v - 0xD800) << 10) + (lo - 0xDC00)
        }
        return v
    }

    private func hex4(at k: Int) -> UInt32? {
        guard k + 4 <= s.count else { return nil }
        var v: UInt32 = 0
        for j in k..<(k + 4) {
            guard let h = RegexParser.hexValue(s[j]) else { return nil }
            v = v * 16 + h
        }
        return v
    }

    private mutating func newSet(_ cs: CharSet) -> RegexNode {
        sets.append(cs)
        return .set(sets.count - 1)
    }

    private mutating func parseAtomEscape() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        i += 1  // backslash
        guard let c = peek() else { throw fail("\\ at end of pattern", start) }
        // Backreferences.
        if c >= 0x31 && c <= 0x39 {
            let n = parseDecimal()!
            if n > totalCaptures { throw fail("invalid backreference \\\(n)", start) }
            return .backreference(n)
        }
        if c == RegexParser.ch("k") {
            i += 1
            guard eat("<") else { throw fail("invalid named reference", start) }
            let name = try parseGroupName()
            return .backreference(-1 - nameSlot(name))
        }
        if let cls = try parseClassEscape() {
            return newSet(cls)
        }
        return .char(try parseCharacterEscape(inClass: false, start: start))
    }

    private var pendingNames: [String] = []
    /// Named references are resolved after parsing (forward references are allowed).
    private mutating func nameSlot(_ name: String) -> Int {
        if let k = pendingNames.firstIndex(of: name) { return k }
        pendingNames.append(name)
        return pendingNames.count - 1
    }

    /// `\d \D \s \S \w \W \p{…} \P{…}` at the current position (after the backslash).
    private mutating func parseClassEscape() throws(RegexSyntaxError) -> CharSet? {
        guard let c = peek() else { return nil }
        switch c {
        case RegexParser.ch("d"): i += 1; return CharSet(ranges: CharSet.digitRanges)
        case RegexParser.ch("D"): i += 1; return CharSet(ranges: CharSet.digitRanges, negated: true)
        case RegexParser.ch("s"): i += 1; return CharSet(ranges: CharSet.spaceRanges)
        case RegexParser.ch("S"): i += 1; return CharSet(ranges: CharSet.spaceRanges, negated: true)
        case RegexParser.ch("w"): i += 1; return CharSet(ranges: CharSet.wordRanges)
        case RegexParser.ch("W"): i += 1; return CharSet(ranges: CharSet.wordRanges, negated: true)
        case RegexParser.ch("p"), RegexParser.ch("P"):
            let start = i - 1
            i += 1
            guard eat("{") else { throw fail("invalid property name", start) }
            var body = String.UnicodeScalarView()
            while let x = peek(), x != 0x7D {
                guard let u = Unicode.Scalar(x),
                      (x >= 0x41 && x <= 0x5A) || (x >= 0x61 && x <= 0x7A) || (x >= 0x30 && x <= 0x39) || x == 0x5F || x == 0x3D
                else { throw fail("invalid property name", start) }
                body.append(u)
                i += 1
            }
            guard eat("}") else { throw fail("invalid property name", start) }
            guard let test = UnicodeProperties.lookup(String(body)) else {
                throw fail("invalid property name '\(String(body))'", start)
            }
            var cs = CharSet()
            cs.properties.append((test, c == RegexParser.ch("P")))
            cs.finalize()
            return cs
        default:
            return nil
        }
    }

    /// CharacterEscape (u-mode), current position after the backslash.
    private mutating func parseCharacterEscape(inClass: Bool, start: Int) throws(RegexSyntaxError) -> UInt32 {
        guard let c = peek() else { throw fail("\\ at end of pattern", start) }
        i += 1
        switch c {
        case RegexParser.ch("f"): return 0x0C
        case RegexParser.ch("n"): return 0x0A
        case RegexParser.ch("r"): return 0x0D
        case RegexParser.ch("t"): return 0x09
        case RegexParser.ch("v"): return 0x0B
        case RegexParser.ch("c"):
            if let l = peek(), (l >= 0x41 && l <= 0x5A) || (l >= 0x61 && l <= 0x7A) {
                i += 1
                return l % 32
            }
            throw fail("invalid control escape \\c", start)
        case RegexParser.ch("0"):
            if RegexParser.isDigit(peek()) { throw fail("invalid decimal escape", start) }
            return 0
        case RegexParser.ch("x"):
            if let a = peek().flatMap(RegexParser.hexValue), let b = peek(1).flatMap(RegexParser.hexValue) {
                i += 2
                return a * 16 + b
            }
            throw fail("invalid \\x escape", start)
        case RegexParser.ch("u"):
            if let v = try parseUnicodeEscapeBody() { return v }
            throw fail("invalid Unicode escape", start)
        case 0x2F: return c  // '/'
        case 0x2D where inClass: return c  // '\-' inside a class
        default:
            if RegexParser.isSyntaxChar(c) { return c }
            // ECMA-262 Annex B.1.2 IdentityEscape (non-u patterns, as browsers and Python read them): an escaped ASCII
            // character that is not a letter, digit or `_` stands for itself. SchemaStore schemas use it (Azure
            // Pipelines: `[^\/~\^\: \[\]\\]`); letters and digits stay errors so `\a`, `\1x` are not misread.
            // `\-` outside a class stays an error (the u-mode rule RegexTests cites).
            if c < 0x80, !RegexParser.isDigit(c), !((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7A), c != 0x5F, c != 0x2D { return c }
            throw fail("invalid escape", start)
        }
    }

    // MARK: classes

    private mutating func parseClass() throws(RegexSyntaxError) -> RegexNode {
        let start = i
        i += 1  // [
        var cs = CharSet()
        cs.negated = eat("^")
        while true {
            guard let c = peek() else { throw fail("unterminated character class", start) }
            if c == 0x5D { i += 1; break }
            let aStart = i
            let a = try parseClassAtom()
            if peek() == 0x2D, let n = peek(1), n != 0x5D {
                i += 1  // '-'
                let bStart = i
                let b = try parseClassAtom()
                guard case .char(let lo) = a else { throw fail("invalid character class range", aStart) }
                guard case .char(let hi) = b else { throw fail("invalid character class range", bStart) }
                if lo > hi { throw fail("range out of order in character class", aStart) }
                cs.add(lo...hi)
                continue
            }
            switch a {
            case .char(let v): cs.add(v)
            case .set(let other):
                if other.negated {
                    if other.properties.isEmpty {
                        cs.ranges.append(contentsOf: CharSet.complement(CharSet.normalize(other.ranges)))
                    } else {
                        for p in other.properties { cs.properties.append((p.test, !p.negated)) }
                    }
                } else {
                    cs.ranges.append(contentsOf: other.ranges)
                    cs.properties.append(contentsOf: other.properties)
                }
            }
        }
        cs.finalize()
        return newSet(cs)
    }

    private enum ClassAtom { case char(UInt32), set(CharSet) }

    private mutating func parseClassAtom() throws(RegexSyntaxError) -> ClassAtom {
        let c = s[i]
        if c == 0x5C {
            let start = i
            i += 1
            guard let e = peek() else { throw fail("\\ at end of pattern", start) }
            if e == RegexParser.ch("b") { i += 1; return .char(0x08) }
            if e == RegexParser.ch("B") { throw fail("invalid escape \\B in class", start) }
            if RegexParser.isDigit(e) && e != 0x30 { throw fail("invalid class escape", start) }
            if e == RegexParser.ch("k") { throw fail("invalid class escape", start) }
            if let set = try parseClassEscape() { return .set(set) }
            return .char(try parseCharacterEscape(inClass: true, start: start))
        }
        i += 1
        return .char(c)
    }

    /// Resolves named back-references (encoded as negative numbers) to group indices.
    static func resolveNames(_ node: RegexNode, _ pending: [String], _ names: [String: Int]) -> RegexNode {
        switch node {
        case .backreference(let n) where n < 0:
            return .backreference(names[pending[-1 - n]] ?? 0)
        case .concat(let xs): return .concat(xs.map { resolveNames($0, pending, names) })
        case .alternation(let xs): return .alternation(xs.map { resolveNames($0, pending, names) })
        case .group(let x, let cap): return .group(resolveNames(x, pending, names), capture: cap)
        case .quantified(let x, let mn, let mx, let g, let f, let l):
            return .quantified(resolveNames(x, pending, names), min: mn, max: mx, greedy: g, firstCapture: f, lastCapture: l)
        case .look(let x, let b, let neg): return .look(resolveNames(x, pending, names), behind: b, negated: neg)
        default: return node
        }
    }
}
