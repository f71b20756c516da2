// Compilation of the regex AST to a small instruction program shared by the Pike VM and the backtracker.

enum RegexInst: Sendable {
    /// Consume one scalar equal to the operand (backward inside lookbehind).
    case char(UInt32, back: Bool)
    /// Consume one scalar in `sets[index]`.
    case set(Int, back: Bool)
    /// Consume one scalar that is not a line terminator.
    case dot(back: Bool)
    /// Try `x` first, then `y`.
    case split(Int, Int)
    case jump(Int)
    /// Record the position in capture slot `n` (2·group, 2·group+1).
    case save(Int)
    /// Clear capture slots `lo..<hi` (start of a quantifier iteration).
    case resetCaptures(Int, Int)
    /// Store the position in register `r` (start of an optional quantifier iteration).
    case mark(Int)
    /// Fail if the position equals register `r` (an optional iteration matched empty).
    case progress(Int)
    case lineStart
    case lineEnd
    case wordBoundary(negated: Bool)
    /// Back-reference to group `n`.
    case backref(Int, back: Bool)
    /// Lookaround: body starts at the next instruction and ends with `lookEnd`; continue at `next`.
    case look(behind: Bool, negated: Bool, next: Int)
    case lookEnd
    /// Counted loop (backtracker only): set counter register `r` to 0.
    case counterInit(Int)
    /// Loop head: iterate (body at the next instruction) or leave to `exit`, per `min`/`max`/greediness.
    case counterLoop(r: Int, min: Int, max: Int, greedy: Bool, exit: Int)
    /// End of the loop body: fail on an empty optional iteration (mark register `p`), else count and loop to `head`.
    case counterNext(r: Int, p: Int, min: Int, head: Int)
    case match

    /// Consuming instructions advance the Pike VM's step; everything else is an epsilon move.
    var isConsuming: Bool {
        switch self {
        case .char, .set, .dot: return true
        default: return false
        }
    }
}

struct RegexProgram: Sendable {
    var insts: [RegexInst] = []
    var sets: [CharSet] = []
    var captureCount = 0
    var registerCount = 0

    static let maxInstructions = 250_000

    struct TooLarge: Error {}

    /// Compiles `parsed`. With `counters`, counted repetitions become counter loops (backtracker only)
    /// instead of being expanded.
    static func compile(_ parsed: ParsedRegex, counters: Bool = false) throws(TooLarge) -> RegexProgram {
        var c = Compiler(sets: parsed.sets)
        c.counters = counters
        c.prog.captureCount = parsed.captureCount
        try c.emit(.group(parsed.root, capture: 0), back: false)
        c.append(.match)
        return c.prog
    }

    private struct Compiler {
        var prog = RegexProgram()
        var counters = false

        init(sets: [CharSet]) { prog.sets = sets }

        @discardableResult
        mutating func append(_ i: RegexInst) -> Int {
            prog.insts.append(i)
            return prog.insts.count - 1
        }

        var here: Int { prog.insts.count }

        mutating func emit(_ node: RegexNode, back: Bool) throws(TooLarge) {
            if prog.insts.count > RegexProgram.maxInstructions { throw TooLarge() }
            switch node {
            case .empty: break
            case .char(let c): append(.char(c, back: back))
            case .set(let k): append(.set(k, back: back))
            case .dot: append(.dot(back: back))
            case .lineStart: append(.lineStart)
            case .lineEnd: append(.lineEnd)
            case .wordBoundary(let n): append(.wordBoundary(negated: n))
            case .backreference(let n): append(.backref(n, back: back))
            case .concat(let xs):
                if back {
                    for x in xs.reversed() { try emit(x, back: back) }
                } else {
                    for x in xs { try emit(x, back: back) }
                }
            case .alternation(let xs):
                // split L1, next; L1: x0; jmp end; next: split L2, next2; ...
                var jumps: [Int] = []
                for (k, x) in xs.enumerated() {
                    if k < xs.count - 1 {
                        let sp = append(.split(0, 0))
                        try emit(x, back: back)
                        jumps.append(append(.jump(0)))
                        prog.insts[sp] = .split(sp + 1, here)
                    } else {
                        try emit(x, back: back)
                    }
                }
                for j in jumps { prog.insts[j] = .jump(here) }
            case .group(let x, let cap):
                if let g = cap {
                    append(.save(back ? 2 * g + 1 : 2 * g))
                    try emit(x, back: back)
                    append(.save(back ? 2 * g : 2 * g + 1))
                } else {
                    try emit(x, back: back)
                }
            case .look(let x, let behind, let negated):
                let at = append(.look(behind: behind, negated: negated, next: 0))
                try emit(x, back: behind)
                append(.lookEnd)
                prog.insts[at] = .look(behind: behind, negated: negated, next: here)
            case .quantified(let x, let min, let max, let greedy, let first, let last):
                let hasCaps = last >= first
                func body(_ c: inout Compiler) throws(TooLarge) {
                    if hasCaps { c.append(.resetCaptures(2 * first, 2 * last + 2)) }
                    try c.emit(x, back: back)
                }
                if counters && (min > 1 || (max ?? 0) > 1) {
                    let r = prog.registerCount, p = prog.registerCount + 1
                    prog.registerCount += 2
                    append(.counterInit(r))
                    let head = append(.counterLoop(r: r, min: 0, max: 0, greedy: greedy, exit: 0))
                    append(.mark(p))
                    try body(&self)
                    append(.counterNext(r: r, p: p, min: min, head: head))
                    prog.insts[head] = .counterLoop(r: r, min: min, max: max ?? Int.max, greedy: greedy, exit: here)
                    return
                }
                for _ in 0..<min { try body(&self) }
                if let max {
                    // Optional iterations: each one may be skipped; all skips go to the end.
                    var splits: [Int] = []
                    for _ in min..<max {
                        let r = prog.registerCount; prog.registerCount += 1
                        splits.append(append(.split(0, 0)))
                        append(.mark(r))
                        try body(&self)
                        append(.progress(r))
                    }
                    let end = here
                    for sp in splits {
                        prog.insts[sp] = greedy ? .split(sp + 1, end) : .split(end, sp + 1)
                    }
                } else {
                    let r = prog.registerCount; prog.registerCount += 1
                    let sp = append(.split(0, 0))
                    append(.mark(r))
                    try body(&self)
                    append(.progress(r))
                    append(.jump(sp))
                    prog.insts[sp] = greedy ? .split(sp + 1, here) : .split(here, sp + 1)
                }
            }
        }
    }
}
