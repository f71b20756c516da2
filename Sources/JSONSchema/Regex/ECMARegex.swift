// Public entry point: an ECMA-262 regular expression (u-mode) with guaranteed bounded matching time.

/// A compiled ECMA-262 regular expression with the `u` flag, as JSON Schema's `pattern` and
/// `patternProperties` use it.
///
/// Matching is a *search* (unanchored unless the pattern uses `^`/`$`) over Unicode scalars.
/// Patterns without back-references or lookaround run on a Pike VM in time linear in
/// `pattern × input`; the others run on a backtracking VM whose work is capped by `stepBudget`,
/// after which `RegexBudgetError` is thrown instead of running away.
/// Compile once and match many times: an `ECMARegex` is an immutable, `Sendable` value.
public struct ECMARegex: Sendable {
    /// The source pattern.
    public let pattern: String
    /// Maximum number of backtracking VM steps for one `matches(in:)` call.
    public let stepBudget: Int

    private enum Strategy: Sendable {
        /// Pure literal (UTF-8 bytes), with anchoring flags.
        case literal([UInt8], anchoredStart: Bool, anchoredEnd: Bool)
        case pike(RegexProgram, anchored: Bool)
        case backtrack(RegexProgram, anchored: Bool)
    }

    private let strategy: Strategy
    /// Number of capturing groups in the pattern.
    public let captureGroupCount: Int
    /// Named groups and their indices.
    public let groupNames: [String: Int]

    /// Backtracking steps one match may take before it fails with ``RegexBudgetError`` (only patterns with
    /// back-references or lookaround backtrack; others run in linear time).
    public static let defaultStepBudget = 5_000_000

    /// Parses and compiles `pattern`; throws `RegexSyntaxError` (with the offending position) when it is
    /// not a valid ECMA-262 u-mode pattern or is too large to compile.
    public init(_ pattern: String, stepBudget: Int = ECMARegex.defaultStepBudget) throws(RegexSyntaxError) {
        try self.init(pattern, stepBudget: stepBudget, forceCounters: false)
    }

    /// `forceCounters` (tests): always compile counted repetitions as counter loops on the backtracker.
    init(_ pattern: String, stepBudget: Int, forceCounters: Bool) throws(RegexSyntaxError) {
        self.pattern = pattern
        self.stepBudget = stepBudget
        let parsed = try RegexParser.parse(pattern)
        captureGroupCount = parsed.captureCount
        groupNames = parsed.groupNames
        let anchored = parsed.root.isAnchoredAtStart
        if !forceCounters, let lit = ECMARegex.literal(parsed.root) {
            var bytes: [UInt8] = []
            for c in lit.scalars { bytes.append(contentsOf: Unicode.Scalar(c).map { Array(String($0).utf8) } ?? []) }
            if lit.scalars.allSatisfy({ Unicode.Scalar($0) != nil }) {
                strategy = .literal(bytes, anchoredStart: lit.start, anchoredEnd: lit.end)
                return
            }
        }
        if !forceCounters, let program = try? RegexProgram.compile(parsed) {
            strategy = parsed.root.needsBacktracking ? .backtrack(program, anchored: anchored) : .pike(program, anchored: anchored)
            return
        }
        // Repetition counts too large to expand: counter loops on the (budgeted) backtracker.
        guard let program = try? RegexProgram.compile(parsed, counters: true) else {
            throw RegexSyntaxError("pattern too large to compile", at: 0)
        }
        strategy = .backtrack(program, anchored: anchored)
    }

    /// Validates `pattern` as an ECMA-262 u-mode regular expression without compiling it.
    public static func validate(_ pattern: String) throws(RegexSyntaxError) {
        _ = try RegexParser.parse(pattern)
    }

    /// True when the pattern matches somewhere in `string`.
    public func matches(in string: String) throws(RegexBudgetError) -> Bool {
        switch strategy {
        case .literal(let bytes, let s, let e):
            return ECMARegex.literalMatch(bytes, in: string, anchoredStart: s, anchoredEnd: e)
        case .pike(let prog, let anchored):
            return PikeVM.matches(prog, string.unicodeScalars, anchored: anchored)
        case .backtrack(let prog, let anchored):
            var bt = Backtracker(prog: prog, input: string.unicodeScalars.map(\.value), budget: stepBudget)
            do {
                return try bt.search(anchored: anchored)
            } catch {
                throw RegexBudgetError(pattern: pattern, steps: stepBudget)
            }
        }
    }

    /// Same as `matches(in:)`.
    public func firstMatch(in string: String) throws(RegexBudgetError) -> Bool {
        try matches(in: string)
    }

    /// Which engine runs this pattern (for diagnostics and tests): "literal", "pike" or "backtrack".
    public var engine: String {
        switch strategy {
        case .literal: return "literal"
        case .pike: return "pike"
        case .backtrack: return "backtrack"
        }
    }

    // MARK: literal fast path

    private static func literal(_ root: RegexNode) -> (scalars: [UInt32], start: Bool, end: Bool)? {
        var items: [RegexNode]
        switch root {
        case .concat(let xs): items = xs
        case .char, .lineStart, .lineEnd, .empty: items = [root]
        default: return nil
        }
        var start = false, end = false
        if case .lineStart = items.first { start = true; items.removeFirst() }
        if case .lineEnd = items.last { end = true; items.removeLast() }
        var out: [UInt32] = []
        for x in items {
            guard case .char(let c) = x else { return nil }
            out.append(c)
        }
        return (out, start, end)
    }

    private static func literalMatch(_ lit: [UInt8], in string: String, anchoredStart: Bool, anchoredEnd: Bool) -> Bool {
        var s = string
        return s.withUTF8 { hay in
            let n = hay.count, m = lit.count
            if m > n { return false }
            if anchoredStart && anchoredEnd { return n == m && hay.elementsEqual(lit) }
            if anchoredStart { return hay.prefix(m).elementsEqual(lit) }
            if anchoredEnd { return hay.suffix(m).elementsEqual(lit) }
            if m == 0 { return true }
            let first = lit[0]
            var i = 0
            while i + m <= n {
                if hay[i] == first {
                    var j = 1
                    while j < m && hay[i + j] == lit[j] { j += 1 }
                    if j == m { return true }
                }
                i += 1
            }
            return false
        }
    }
}
