// A byte-level fast path for the simple patterns schemas mostly use (`^[0-9]{1,20}$`, UUIDs, timestamps):
// ASCII-only atoms, classes, groups, alternation and quantifiers, run on a small backtracking VM with a
// step budget. Anything outside that subset (or over budget) defers to the full ECMA-262 engine, so the
// answers are always the engine's.

/// A compiled `pattern` / `patternProperties` regex: the fast subset when it applies, else `ECMARegex`.
struct PatternMatcher: @unchecked Sendable {
    let regex: ECMARegex
    let fast: FastPattern?

    init(_ regex: ECMARegex) {
        self.regex = regex
        fast = FastPattern(regex.pattern)
    }

    var pattern: String { regex.pattern }

    func matches(_ s: String) throws(RegexBudgetError) -> Bool {
        if let fast {
            var t = s
            if let r = t.withUTF8({ fast.matches(UnsafeRawBufferPointer($0)) }) { return r }
        }
        return try regex.matches(in: s)
    }

    /// Matches UTF-8 bytes; nil when only the full engine can answer (caller then builds a String).
    @inline(__always)
    func fastMatches(_ bytes: UnsafeRawBufferPointer) -> Bool? { fast?.matches(bytes) }
}

struct FastPattern: Sendable {
    enum Inst: Sendable {
        case set(UInt64, UInt64)  // ASCII bitmap (bytes 0-63, 64-127)
        case split(Int, Int)  // try first, then second
        case jump(Int)
        case match
    }

    let program: [Inst]
    let source: String
    let anchoredStart: Bool
    let anchoredEnd: Bool
    /// A pattern anchored at both ends that is a sequence of sets, each repeated `min...max` times, where
    /// greedy matching cannot over-consume (a variable item is last, or followed by a required item with a
    /// disjoint set): matched in one pass without the VM (`^[0-9]{1,20}$`, UUIDs).
    let linear: [LinearItem]?

    struct LinearItem: Sendable {
        let lo: UInt64
        let hi: UInt64
        let min: Int
        let max: Int
    }
    static let maxProgram = 4096
    static let stepBudget = 100_000

    // MARK: Parsing (subset)

    private indirect enum Node {
        case set(UInt64, UInt64)
        case seq([Node])
        case alt([Node])
        case rep(Node, Int, Int?)  // min, max (nil = unbounded)
    }

    init?(_ pattern: String) {
        var chars = Array(pattern.unicodeScalars)
        var aStart = false, aEnd = false
        if chars.first == "^" { aStart = true; chars.removeFirst() }
        if chars.last == "$" && !(chars.count >= 2 && chars[chars.count - 2] == "\\") { aEnd = true; chars.removeLast() }
        var i = 0
        guard let node = FastPattern.parseAlt(chars, &i), i == chars.count else { return nil }
        if case .alt = node, aStart || aEnd { return nil }
        var prog: [Inst] = []
        guard FastPattern.emit(node, &prog), prog.count < FastPattern.maxProgram else { return nil }
        prog.append(.match)
        program = prog
        source = pattern
        anchoredStart = aStart
        anchoredEnd = aEnd
        linear = aStart && aEnd ? FastPattern.linearItems(node) : nil
    }

    /// The items of a sequence of (repeated) sets, or nil (see `linear`).
    private static func linearItems(_ n: Node) -> [LinearItem]? {
        var items: [LinearItem] = []
        func add(_ n: Node) -> Bool {
            switch n {
            case .set(let lo, let hi):
                items.append(LinearItem(lo: lo, hi: hi, min: 1, max: 1))
            case .rep(.set(let lo, let hi), let minR, let maxR):
                items.append(LinearItem(lo: lo, hi: hi, min: minR, max: maxR ?? Int.max))
            case .seq(let parts):
                for part in parts where !add(part) { return false }
            default:
                return false
            }
            return true
        }
        guard add(n), !items.isEmpty else { return nil }
        for k in items.indices where items[k].min != items[k].max && k + 1 < items.count {
            let next = items[k + 1]
            guard next.min >= 1, items[k].lo & next.lo == 0, items[k].hi & next.hi == 0 else { return nil }
        }
        return items
    }

    /// Whole-input match of `linear` items.
    @inline(__always)
    private static func matchLinear(_ items: [LinearItem], _ s: UnsafeRawBufferPointer) -> Bool {
        let n = s.count
        var pos = 0
        for item in items {
            var c = 0
            while c < item.max && pos < n {
                let b = s[pos]
                let hit = b < 64 ? (item.lo >> UInt64(b)) & 1 : (b < 128 ? (item.hi >> UInt64(b - 64)) & 1 : 0)
                if hit == 0 { break }
                pos += 1
                c += 1
            }
            if c < item.min { return false }
        }
        return pos == n
    }

    private static func parseAlt(_ c: [Unicode.Scalar], _ i: inout Int) -> Node? {
        var branches: [Node] = []
        guard let first = parseSeq(c, &i) else { return nil }
        branches.append(first)
        while i < c.count && c[i] == "|" {
            i += 1
            guard let b = parseSeq(c, &i) else { return nil }
            branches.append(b)
        }
        return branches.count == 1 ? branches[0] : .alt(branches)
    }

    private static func parseSeq(_ c: [Unicode.Scalar], _ i: inout Int) -> Node? {
        var items: [Node] = []
        while i < c.count && c[i] != "|" && c[i] != ")" {
            guard var atom = parseAtom(c, &i) else { return nil }
            if i < c.count {
                var minR = -1, maxR: Int? = nil
                switch c[i] {
                case "?": minR = 0; maxR = 1; i += 1
                case "*": minR = 0; maxR = nil; i += 1
                case "+": minR = 1; maxR = nil; i += 1
                case "{":
                    i += 1
                    guard let a = number(c, &i) else { return nil }
                    minR = a
                    maxR = a
                    if i < c.count && c[i] == "," {
                        i += 1
                        if i < c.count && c[i] == "}" { maxR = nil } else {
                            guard let b = number(c, &i), b >= a else { return nil }
                            maxR = b
                        }
                    }
                    guard i < c.count && c[i] == "}" else { return nil }
                    i += 1
                default: break
                }
                if minR >= 0 {
                    if i < c.count && (c[i] == "?" || c[i] == "*" || c[i] == "+" || c[i] == "{") { return nil }  // lazy / stacked
                    guard minR <= 1000, (maxR ?? 0) <= 1000 else { return nil }
                    atom = .rep(atom, minR, maxR)
                }
            }
            items.append(atom)
        }
        return items.count == 1 ? items[0] : .seq(items)
    }

    private static func number(_ c: [Unicode.Scalar], _ i: inout Int) -> Int? {
        var v = 0, any = false
        while i < c.count, let d = Int(String(c[i])), c[i].isASCII, d >= 0, d <= 9 {
            v = v * 10 + d
            any = true
            i += 1
            if v > 100_000 { return nil }
        }
        return any ? v : nil
    }

    private static func bit(_ b: UInt32) -> (UInt64, UInt64) {
        b < 64 ? (1 << UInt64(b), 0) : (0, 1 << UInt64(b - 64))
    }

    private static func range(_ a: UInt32, _ b: UInt32) -> (UInt64, UInt64) {
        var lo: UInt64 = 0, hi: UInt64 = 0
        for x in a...b {
            let (l, h) = bit(x)
            lo |= l
            hi |= h
        }
        return (lo, hi)
    }

    private static let syntax: Set<Unicode.Scalar> = ["^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/"]

    /// `\d`, `\w` or an escaped syntax character.
    private static func escape(_ c: [Unicode.Scalar], _ i: inout Int, inClass: Bool) -> (UInt64, UInt64)? {
        guard i < c.count else { return nil }
        let e = c[i]
        i += 1
        switch e {
        case "d": return range(0x30, 0x39)
        case "w":
            let a = range(0x30, 0x39), b = range(0x41, 0x5A), d = range(0x61, 0x7A), u = bit(0x5F)
            return (a.0 | b.0 | d.0 | u.0, a.1 | b.1 | d.1 | u.1)
        default:
            if syntax.contains(e) || (inClass && e == "-") { return bit(e.value) }
            return nil
        }
    }

    private static func parseAtom(_ c: [Unicode.Scalar], _ i: inout Int) -> Node? {
        let ch = c[i]
        switch ch {
        case "(":
            i += 1
            if i + 1 < c.count && c[i] == "?" {
                guard c[i + 1] == ":" else { return nil }
                i += 2
            }
            guard let inner = parseAlt(c, &i), i < c.count, c[i] == ")" else { return nil }
            i += 1
            return inner
        case "[":
            i += 1
            guard i < c.count, c[i] != "^" else { return nil }
            var lo: UInt64 = 0, hi: UInt64 = 0
            while i < c.count && c[i] != "]" {
                var a: UInt32
                if c[i] == "\\" {
                    i += 1
                    let save = i
                    guard let s = escape(c, &i, inClass: true) else { return nil }
                    // A single escaped char may start a range; \d / \w may not.
                    if c[save] == "d" || c[save] == "w" {
                        lo |= s.0; hi |= s.1
                        continue
                    }
                    a = c[save].value
                } else {
                    guard c[i].isASCII, c[i] != "[" else { return nil }
                    a = c[i].value
                    i += 1
                }
                if i + 1 < c.count && c[i] == "-" && c[i + 1] != "]" {
                    i += 1
                    var b: UInt32
                    if c[i] == "\\" {
                        i += 1
                        guard i < c.count, syntax.contains(c[i]) || c[i] == "-" else { return nil }
                        b = c[i].value
                        i += 1
                    } else {
                        guard c[i].isASCII else { return nil }
                        b = c[i].value
                        i += 1
                    }
                    guard a <= b else { return nil }
                    let r = range(a, b)
                    lo |= r.0; hi |= r.1
                } else {
                    let r = bit(a)
                    lo |= r.0; hi |= r.1
                }
            }
            guard i < c.count, c[i] == "]" else { return nil }
            i += 1
            return .set(lo, hi)
        case "\\":
            i += 1
            guard let s = escape(c, &i, inClass: false) else { return nil }
            return .set(s.0, s.1)
        default:
            if syntax.contains(ch) || !ch.isASCII || ch == "]" || ch == "}" { return nil }
            i += 1
            let b = bit(ch.value)
            return .set(b.0, b.1)
        }
    }

    private static func emit(_ n: Node, _ p: inout [Inst]) -> Bool {
        if p.count > maxProgram { return false }
        switch n {
        case .set(let lo, let hi):
            p.append(.set(lo, hi))
        case .seq(let items):
            for it in items where !emit(it, &p) { return false }
        case .alt(let branches):
            var jumps: [Int] = []
            for (k, b) in branches.enumerated() {
                if k < branches.count - 1 {
                    let split = p.count
                    p.append(.split(0, 0))
                    guard emit(b, &p) else { return false }
                    jumps.append(p.count)
                    p.append(.jump(0))
                    p[split] = .split(split + 1, p.count)
                } else {
                    guard emit(b, &p) else { return false }
                }
            }
            for j in jumps { p[j] = .jump(p.count) }
        case .rep(let a, let minR, let maxR):
            for _ in 0..<minR where !emit(a, &p) { return false }
            if let maxR {
                var splits: [Int] = []
                for _ in minR..<maxR {
                    splits.append(p.count)
                    p.append(.split(0, 0))
                    guard emit(a, &p) else { return false }
                }
                for s in splits { p[s] = .split(s + 1, p.count) }
            } else {
                let loop = p.count
                p.append(.split(0, 0))
                guard emit(a, &p) else { return false }
                p.append(.jump(loop))
                p[loop] = .split(loop + 1, p.count)
            }
        }
        return p.count <= maxProgram
    }

    // MARK: Matching

    /// The full engine, for inputs over the step budget.
    func fallback(_ s: String) throws -> Bool { try ECMARegex(source).matches(in: s) }

    /// Search semantics over UTF-8 bytes; nil when over the step budget.
    func matches(_ s: UnsafeRawBufferPointer) -> Bool? {
        if let linear { return FastPattern.matchLinear(linear, s) }
        let n = s.count
        var steps = 0
        return program.withUnsafeBufferPointer { prog -> Bool? in
            withUnsafeTemporaryAllocation(of: (Int32, Int32).self, capacity: 512) { stack -> Bool? in
                var start = 0
                while start <= n {
                    // A match can start only at an ASCII byte (every atom is ASCII), or at the end.
                    var sp = 0
                    var pc = 0
                    var pos = start
                    while true {
                        steps += 1
                        if steps > FastPattern.stepBudget { return nil }
                        var failed = false
                        switch prog[pc] {
                        case .set(let lo, let hi):
                            if pos < n {
                                let b = s[pos]
                                let hit = b < 64 ? (lo >> UInt64(b)) & 1 : (b < 128 ? (hi >> UInt64(b - 64)) & 1 : 0)
                                if hit != 0 { pos += 1; pc += 1 } else { failed = true }
                            } else {
                                failed = true
                            }
                        case .split(let a, let b):
                            if sp == stack.count { return nil }
                            stack[sp] = (Int32(b), Int32(pos))
                            sp += 1
                            pc = a
                        case .jump(let t):
                            pc = t
                        case .match:
                            if !anchoredEnd || pos == n { return true }
                            failed = true
                        }
                        if failed {
                            if sp == 0 { break }
                            sp -= 1
                            pc = Int(stack[sp].0)
                            pos = Int(stack[sp].1)
                        }
                    }
                    if anchoredStart { return false }
                    start += 1
                    while start < n && s[start] >= 0x80 { start += 1 }
                }
                return false
            }
        }
    }
}
