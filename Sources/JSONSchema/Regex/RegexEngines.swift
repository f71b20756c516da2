// The two matching engines: a Pike VM / Thompson NFA simulation (linear time, no back-references or
// lookaround) and a backtracking VM with an explicit stack and a step budget (everything else).

/// Sparse set of program counters (Briggs & Torczon), O(1) insert, membership and clear.
struct SparsePCSet {
    var dense: [Int]
    var sparse: [Int]
    var count = 0

    init(capacity: Int) {
        dense = [Int](repeating: 0, count: capacity)
        sparse = [Int](repeating: 0, count: capacity)
    }

    @inline(__always)
    func contains(_ pc: Int) -> Bool {
        let k = sparse[pc]
        return k < count && dense[k] == pc
    }

    @inline(__always)
    mutating func insert(_ pc: Int) {
        sparse[pc] = count
        dense[count] = pc
        count += 1
    }

    @inline(__always)
    mutating func clear() { count = 0 }
}

enum PikeVM {
    /// Returns true if the program matches anywhere in `input` (or at its start when `anchored`).
    static func matches(_ prog: RegexProgram, _ input: String.UnicodeScalarView, anchored: Bool) -> Bool {
        let n = prog.insts.count
        var cur = SparsePCSet(capacity: n)
        var next = SparsePCSet(capacity: n)
        var stack = [Int]()
        stack.reserveCapacity(n)
        var prev: UInt32? = nil
        var idx = input.startIndex
        let end = input.endIndex
        var c: UInt32? = idx < end ? input[idx].value : nil
        var first = true

        while true {
            if first || !anchored {
                if addClosure(prog, &cur, &stack, 0, prev: prev, cur: c, atStart: first) { return true }
            }
            if cur.count == 0 {
                if anchored || c == nil { return false }
            }
            guard let ch = c else { return false }
            // Advance.
            let nidx = input.index(after: idx)
            let nc: UInt32? = nidx < end ? input[nidx].value : nil
            next.clear()
            var k = 0
            while k < cur.count {
                let pc = cur.dense[k]
                k += 1
                let ok: Bool
                switch prog.insts[pc] {
                case .char(let x, _): ok = x == ch
                case .set(let s, _): ok = prog.sets[s].contains(ch)
                case .dot: ok = !CharSet.isLineTerminator(ch)
                default: ok = false
                }
                if ok, addClosure(prog, &next, &stack, pc + 1, prev: ch, cur: nc, atStart: false) { return true }
            }
            swap(&cur, &next)
            prev = ch
            c = nc
            idx = nidx
            first = false
        }
    }

    /// Adds `pc` and everything reachable by epsilon moves; returns true when `match` is reachable.
    @inline(__always)
    private static func addClosure(_ prog: RegexProgram, _ set: inout SparsePCSet, _ stack: inout [Int], _ start: Int,
                                   prev: UInt32?, cur: UInt32?, atStart: Bool) -> Bool {
        stack.removeAll(keepingCapacity: true)
        stack.append(start)
        while let pc = stack.popLast() {
            if set.contains(pc) { continue }
            set.insert(pc)
            switch prog.insts[pc] {
            case .match: return true
            case .jump(let t): stack.append(t)
            case .split(let x, let y): stack.append(y); stack.append(x)
            case .save, .resetCaptures, .mark, .progress: stack.append(pc + 1)
            case .lineStart: if atStart { stack.append(pc + 1) }
            case .lineEnd: if cur == nil { stack.append(pc + 1) }
            case .wordBoundary(let negated):
                let a = prev.map(CharSet.isWordChar) ?? false
                let b = cur.map(CharSet.isWordChar) ?? false
                if (a != b) != negated { stack.append(pc + 1) }
            case .char, .set, .dot: break  // consuming; handled by the step
            case .backref, .look, .lookEnd, .counterInit, .counterLoop, .counterNext: break  // never compiled for this engine
            }
        }
        return false
    }
}

/// Matching ran out of its step budget (only possible for patterns with back-references or lookaround).
public struct RegexBudgetError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pattern as written in the schema.
    public let pattern: String
    /// The budget that was exhausted, in steps.
    public let steps: Int
    /// The diagnostic naming the pattern and the budget.
    public var description: String {
        "regular expression /\(pattern)/ exceeded its backtracking budget of \(steps) steps"
    }
}

struct Backtracker {
    let prog: RegexProgram
    let input: [UInt32]
    let budget: Int
    var steps = 0
    var caps: [Int]
    var regs: [Int]
    /// Backtrack stack entries: kind 0 = branch (a = pc, b = pos), 1 = restore capture (a = slot, b = old),
    /// 2 = restore register (a = reg, b = old).
    var stackKind: [UInt8] = []
    var stackA: [Int] = []
    var stackB: [Int] = []

    struct OutOfBudget: Error {}

    init(prog: RegexProgram, input: [UInt32], budget: Int) {
        self.prog = prog
        self.input = input
        self.budget = budget
        caps = [Int](repeating: -1, count: 2 * (prog.captureCount + 1))
        regs = [Int](repeating: -1, count: prog.registerCount)
        stackKind.reserveCapacity(64)
        stackA.reserveCapacity(64)
        stackB.reserveCapacity(64)
    }

    mutating func search(anchored: Bool) throws(OutOfBudget) -> Bool {
        let last = anchored ? 0 : input.count
        var start = 0
        while start <= last {
            for k in 0..<caps.count { caps[k] = -1 }
            if try run(pc: 0, pos: start) != nil { return true }
            start += 1
        }
        return false
    }

    @inline(__always)
    private mutating func push(_ kind: UInt8, _ a: Int, _ b: Int) {
        stackKind.append(kind); stackA.append(a); stackB.append(b)
    }

    private func isWord(_ p: Int) -> Bool { p >= 0 && p < input.count && CharSet.isWordChar(input[p]) }

    /// Runs from `pc` at `pos` until `match`/`lookEnd`; returns the end position or nil on failure.
    /// On success, branch entries above the entry depth are discarded (atomicity of lookaround) but
    /// restore entries are kept so that an outer backtrack undoes this sub-match's side effects.
    private mutating func run(pc startPC: Int, pos startPos: Int) throws(OutOfBudget) -> Int? {
        let base = stackKind.count
        var pc = startPC
        var pos = startPos
        let n = input.count
        while true {
            steps += 1
            if steps > budget { throw OutOfBudget() }
            var ok = true
            switch prog.insts[pc] {
            case .char(let c, let back):
                if back {
                    if pos > 0 && input[pos - 1] == c { pos -= 1; pc += 1 } else { ok = false }
                } else {
                    if pos < n && input[pos] == c { pos += 1; pc += 1 } else { ok = false }
                }
            case .set(let s, let back):
                if back {
                    if pos > 0 && prog.sets[s].contains(input[pos - 1]) { pos -= 1; pc += 1 } else { ok = false }
                } else {
                    if pos < n && prog.sets[s].contains(input[pos]) { pos += 1; pc += 1 } else { ok = false }
                }
            case .dot(let back):
                if back {
                    if pos > 0 && !CharSet.isLineTerminator(input[pos - 1]) { pos -= 1; pc += 1 } else { ok = false }
                } else {
                    if pos < n && !CharSet.isLineTerminator(input[pos]) { pos += 1; pc += 1 } else { ok = false }
                }
            case .split(let x, let y):
                push(0, y, pos)
                pc = x
            case .jump(let t):
                pc = t
            case .save(let slot):
                push(1, slot, caps[slot])
                caps[slot] = pos
                pc += 1
            case .resetCaptures(let lo, let hi):
                for slot in lo..<hi where caps[slot] != -1 {
                    push(1, slot, caps[slot])
                    caps[slot] = -1
                }
                pc += 1
            case .mark(let r):
                push(2, r, regs[r])
                regs[r] = pos
                pc += 1
            case .progress(let r):
                if regs[r] == pos { ok = false } else { pc += 1 }
            case .lineStart:
                if pos == 0 { pc += 1 } else { ok = false }
            case .lineEnd:
                if pos == n { pc += 1 } else { ok = false }
            case .wordBoundary(let negated):
                if (isWord(pos - 1) != isWord(pos)) != negated { pc += 1 } else { ok = false }
            case .backref(let g, let back):
                let s = caps[2 * g], e = caps[2 * g + 1]
                if s < 0 || e < 0 {
                    pc += 1
                } else {
                    let len = e - s
                    if back {
                        if pos - len >= 0 && input[(pos - len)..<pos].elementsEqual(input[s..<e]) {
                            pos -= len; pc += 1
                        } else { ok = false }
                    } else {
                        if pos + len <= n && input[pos..<(pos + len)].elementsEqual(input[s..<e]) {
                            pos += len; pc += 1
                        } else { ok = false }
                    }
                }
            case .look(_, let negated, let next):
                let depth = stackKind.count
                let r = try run(pc: pc + 1, pos: pos)
                if negated {
                    if r != nil {
                        unwind(to: depth)
                        ok = false
                    } else {
                        pc = next
                    }
                } else {
                    if r != nil { pc = next } else { ok = false }
                }
            case .counterInit(let r):
                push(2, r, regs[r])
                regs[r] = 0
                pc += 1
            case .counterLoop(let r, let min, let max, let greedy, let exit):
                let count = regs[r]
                if count < min {
                    pc += 1
                } else if count >= max {
                    pc = exit
                } else if greedy {
                    push(0, exit, pos)
                    pc += 1
                } else {
                    push(0, pc + 1, pos)
                    pc = exit
                }
            case .counterNext(let r, let p, let min, let head):
                if regs[r] >= min && regs[p] == pos {
                    ok = false
                } else {
                    push(2, r, regs[r])
                    regs[r] += 1
                    pc = head
                }
            case .lookEnd, .match:
                discardBranches(above: base)
                return pos
            }
            if !ok {
                // Backtrack.
                var resumed = false
                while stackKind.count > base {
                    let kind = stackKind.removeLast()
                    let a = stackA.removeLast()
                    let b = stackB.removeLast()
                    switch kind {
                    case 0: pc = a; pos = b; resumed = true
                    case 1: caps[a] = b
                    default: regs[a] = b
                    }
                    if resumed { break }
                }
                if !resumed { return nil }
            }
        }
    }

    private mutating func unwind(to depth: Int) {
        while stackKind.count > depth {
            let kind = stackKind.removeLast()
            let a = stackA.removeLast()
            let b = stackB.removeLast()
            switch kind {
            case 0: break
            case 1: caps[a] = b
            default: regs[a] = b
            }
        }
    }

    /// Removes branch entries above `base`, keeping restore entries in order.
    private mutating func discardBranches(above base: Int) {
        var w = base
        for r in base..<stackKind.count where stackKind[r] != 0 {
            stackKind[w] = stackKind[r]; stackA[w] = stackA[r]; stackB[w] = stackB[r]
            w += 1
        }
        stackKind.removeLast(stackKind.count - w)
        stackA.removeLast(stackA.count - w)
        stackB.removeLast(stackB.count - w)
    }
}
