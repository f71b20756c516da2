// hostname (RFC 1123, with A-labels validated per IDNA2008) and idn-hostname (RFC 5890–5893).

enum HostnameFormat {
    // MARK: tables

    private static func table(_ text: String) -> [String: [ClosedRange<UInt32>]] { UnicodeProperties.parseTable(text) }
    private static let derived = table(IDNAData.derivedProperty)
    private static let pvalid = derived["PVALID"] ?? []
    private static let contextJ = derived["CONTEXTJ"] ?? []
    private static let contextO = derived["CONTEXTO"] ?? []
    private static let scripts = table(IDNAData.scripts)
    private static let joining = table(IDNAData.joiningTypes)
    private static let bidi = table(IDNAData.bidiClasses)
    private static let bidiOrder: [String] = ["R", "AL", "AN", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"]

    private static func inTable(_ t: [String: [ClosedRange<UInt32>]], _ key: String, _ c: UInt32) -> Bool {
        guard let rs = t[key] else { return false }
        return CharSet.rangesContain(rs, c)
    }

    static func bidiClass(_ c: UInt32) -> String {
        for k in bidiOrder where inTable(bidi, k, c) { return k }
        return "L"
    }

    private static func joiningType(_ c: UInt32) -> Character? {
        for k in ["D", "L", "R", "T", "C"] where inTable(joining, k, c) { return Character(k) }
        return nil
    }

    // MARK: hostname

    private static func isLDH(_ c: Unicode.Scalar) -> Bool { isASCIIAlpha(c) || isASCIIDigit(c) || c == "-" }

    /// RFC 1123 host name; with `idna` (draft 7 on, RFC 5890) labels with `--` in positions 3–4
    /// must be valid A-labels.
    static func isHostname(_ s: String, idna: Bool = true) -> Bool {
        let u = Array(s.unicodeScalars)
        if u.isEmpty || u.count > 253 { return false }
        var labels: [ArraySlice<Unicode.Scalar>] = []
        var start = 0
        for (k, c) in u.enumerated() where c == "." {
            labels.append(u[start..<k]); start = k + 1
        }
        labels.append(u[start...])
        for label in labels {
            guard !label.isEmpty, label.count <= 63, label.allSatisfy(isLDH) else { return false }
            if label.first == "-" || label.last == "-" { return false }
            if idna && label.count >= 4 && label[label.startIndex + 2] == "-" && label[label.startIndex + 3] == "-" {
                guard isACEPrefix(label), validateALabel(label) != nil else { return false }
            }
        }
        return true
    }

    private static func isACEPrefix(_ label: ArraySlice<Unicode.Scalar>) -> Bool {
        guard label.count >= 4 else { return false }
        let a = label[label.startIndex], b = label[label.startIndex + 1]
        return (a == "x" || a == "X") && (b == "n" || b == "N") && label[label.startIndex + 2] == "-" && label[label.startIndex + 3] == "-"
    }

    /// Decodes and validates an A-label; returns its U-label code points, or nil.
    private static func validateALabel(_ label: ArraySlice<Unicode.Scalar>) -> [UInt32]? {
        let encoded = label.dropFirst(4).map { $0.value }
        guard let decoded = Punycode.decode(encoded), !decoded.allSatisfy({ $0 < 0x80 }) else { return nil }
        // Must round-trip (canonical encoding), comparing case-insensitively.
        guard let re = Punycode.encode(decoded),
              re.elementsEqual(encoded.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }) else { return nil }
        guard isValidULabel(decoded) else { return nil }
        return decoded
    }

    // MARK: idn-hostname

    private static func isSeparator(_ c: UInt32) -> Bool { c == 0x2E || c == 0x3002 || c == 0xFF0E || c == 0xFF61 }

    static func isIDNHostname(_ s: String) -> Bool {
        let u = s.unicodeScalars.map(\.value)
        if u.isEmpty { return false }
        var labels: [[UInt32]] = []
        var cur: [UInt32] = []
        for c in u {
            if isSeparator(c) { labels.append(cur); cur = [] } else { cur.append(c) }
        }
        labels.append(cur)
        var uLabels: [[UInt32]] = []
        var totalLength = labels.count - 1
        for label in labels {
            if label.isEmpty { return false }
            if label.allSatisfy({ $0 < 0x80 }) {
                let scalars = ArraySlice(label.map { Unicode.Scalar($0)! })
                guard label.count <= 63, scalars.allSatisfy(isLDH), label.first != 0x2D, label.last != 0x2D else { return false }
                if label.count >= 4 && label[2] == 0x2D && label[3] == 0x2D {
                    guard isACEPrefix(scalars), let decoded = validateALabel(scalars) else { return false }
                    uLabels.append(decoded)
                } else {
                    uLabels.append(label)
                }
                totalLength += label.count
            } else {
                guard isValidULabel(label), let ace = Punycode.encode(label), ace.count + 4 <= 63 else { return false }
                uLabels.append(label)
                totalLength += ace.count + 4
            }
        }
        if totalLength > 253 { return false }
        // RFC 5893: the Bidi rule applies to every label of a domain that contains an RTL label.
        let isBidiDomain = uLabels.contains { $0.contains { c in let b = bidiClass(c); return b == "R" || b == "AL" || b == "AN" } }
        if isBidiDomain {
            for l in uLabels where !satisfiesBidiRule(l) { return false }
        }
        return true
    }

    /// RFC 5891 section 5.4 / RFC 5892: code points, hyphens, leading marks and contextual rules.
    static func isValidULabel(_ l: [UInt32]) -> Bool {
        if l.isEmpty || l.count > 63 { return false }
        if l.first == 0x2D || l.last == 0x2D { return false }
        if l.count >= 4 && l[2] == 0x2D && l[3] == 0x2D { return false }
        if let first = Unicode.Scalar(l[0]) {
            switch first.properties.generalCategory {
            case .nonspacingMark, .spacingMark, .enclosingMark: return false
            default: break
            }
        }
        for (k, c) in l.enumerated() {
            if CharSet.rangesContain(pvalid, c) { continue }
            if CharSet.rangesContain(contextJ, c) {
                if !contextJRule(l, k) { return false }
                continue
            }
            if CharSet.rangesContain(contextO, c) {
                if !contextORule(l, k) { return false }
                continue
            }
            return false
        }
        return true
    }

    private static func isVirama(_ c: UInt32) -> Bool {
        guard let s = Unicode.Scalar(c) else { return false }
        return s.properties.canonicalCombiningClass == .virama
    }

    private static func contextJRule(_ l: [UInt32], _ k: Int) -> Bool {
        let c = l[k]
        if k > 0 && isVirama(l[k - 1]) { return true }
        guard c == 0x200C else { return false }  // ZWJ needs a virama
        // ZWNJ: (L|D) T* ZWNJ T* (R|D)
        var j = k - 1
        while j >= 0, joiningType(l[j]) == "T" { j -= 1 }
        guard j >= 0, let before = joiningType(l[j]), before == "L" || before == "D" else { return false }
        j = k + 1
        while j < l.count, joiningType(l[j]) == "T" { j += 1 }
        guard j < l.count, let after = joiningType(l[j]), after == "R" || after == "D" else { return false }
        return true
    }

    private static func contextORule(_ l: [UInt32], _ k: Int) -> Bool {
        let c = l[k]
        switch c {
        case 0x00B7:
            return k > 0 && k < l.count - 1 && l[k - 1] == 0x6C && l[k + 1] == 0x6C
        case 0x0375:
            return k < l.count - 1 && inTable(scripts, "Greek", l[k + 1])
        case 0x05F3, 0x05F4:
            return k > 0 && inTable(scripts, "Hebrew", l[k - 1])
        case 0x30FB:
            return l.contains { x in x != 0x30FB && (inTable(scripts, "Hiragana", x) || inTable(scripts, "Katakana", x) || inTable(scripts, "Han", x)) }
        case 0x0660...0x0669:
            return !l.contains { $0 >= 0x06F0 && $0 <= 0x06F9 }
        case 0x06F0...0x06F9:
            return !l.contains { $0 >= 0x0660 && $0 <= 0x0669 }
        default:
            return false
        }
    }

    /// RFC 5893 section 2, rules 1–6.
    static func satisfiesBidiRule(_ l: [UInt32]) -> Bool {
        let classes = l.map(bidiClass)
        guard let first = classes.first else { return false }
        var last = classes.count - 1
        while last > 0 && classes[last] == "NSM" { last -= 1 }
        if first == "R" || first == "AL" {
            let allowed: Set<String> = ["R", "AL", "AN", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"]
            guard classes.allSatisfy(allowed.contains) else { return false }
            guard ["R", "AL", "EN", "AN"].contains(classes[last]) else { return false }
            if classes.contains("EN") && classes.contains("AN") { return false }
            return true
        }
        if first == "L" {
            let allowed: Set<String> = ["L", "EN", "ES", "CS", "ET", "ON", "BN", "NSM"]
            guard classes.allSatisfy(allowed.contains) else { return false }
            return classes[last] == "L" || classes[last] == "EN"
        }
        return false
    }
}

/// RFC 3492 Punycode over code points (lower-case output).
enum Punycode {
    private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700, initialBias = 72, initialN = 128

    private static func adapt(_ delta: Int, _ numPoints: Int, _ first: Bool) -> Int {
        var d = first ? delta / damp : delta / 2
        d += d / numPoints
        var k = 0
        while d > ((base - tMin) * tMax) / 2 {
            d /= base - tMin
            k += base
        }
        return k + (base - tMin + 1) * d / (d + skew)
    }

    private static func digitValue(_ c: UInt32) -> Int? {
        switch c {
        case 0x30...0x39: return Int(c) - 0x30 + 26
        case 0x41...0x5A: return Int(c) - 0x41
        case 0x61...0x7A: return Int(c) - 0x61
        default: return nil
        }
    }

    private static func digitChar(_ d: Int) -> UInt32 { d < 26 ? UInt32(0x61 + d) : UInt32(0x30 + d - 26) }

    static func decode(_ input: [UInt32]) -> [UInt32]? {
        var output: [UInt32] = []
        var rest = input[...]
        if let delim = input.lastIndex(of: 0x2D) {
            for c in input[..<delim] {
                guard c < 0x80 else { return nil }
                output.append(c)
            }
            rest = input[(delim + 1)...]
        }
        var n = initialN, i = 0, bias = initialBias
        var idx = rest.startIndex
        while idx < rest.endIndex {
            let oldI = i
            var w = 1
            var k = base
            while true {
                guard idx < rest.endIndex, let digit = digitValue(rest[idx]) else { return nil }
                idx += 1
                if digit > (Int(Int32.max) - i) / w { return nil }
                i += digit * w
                let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                if digit < t { break }
                if w > Int(Int32.max) / (base - t) { return nil }
                w *= base - t
                k += base
            }
            bias = adapt(i - oldI, output.count + 1, oldI == 0)
            if i / (output.count + 1) > Int(Int32.max) - n { return nil }
            n += i / (output.count + 1)
            i %= output.count + 1
            guard n <= 0x10FFFF, !(n >= 0xD800 && n <= 0xDFFF), n >= 0x80 else { return nil }
            output.insert(UInt32(n), at: i)
            i += 1
        }
        return output
    }

    static func encode(_ input: [UInt32]) -> [UInt32]? {
        var output: [UInt32] = input.filter { $0 < 0x80 }.map { $0 >= 0x41 && $0 <= 0x5A ? $0 + 0x20 : $0 }
        let b = output.count
        var h = b
        if b > 0 { output.append(0x2D) }
        var n = initialN, delta = 0, bias = initialBias
        while h < input.count {
            guard let m = input.filter({ Int($0) >= n }).min().map(Int.init) else { return nil }
            if m - n > (Int(Int32.max) - delta) / (h + 1) { return nil }
            delta += (m - n) * (h + 1)
            n = m
            for c in input {
                if Int(c) < n { delta += 1 }
                if Int(c) == n {
                    var q = delta
                    var k = base
                    while true {
                        let t = k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
                        if q < t { break }
                        output.append(digitChar(t + (q - t) % (base - t)))
                        q = (q - t) / (base - t)
                        k += base
                    }
                    output.append(digitChar(q))
                    bias = adapt(delta, h + 1, h == b)
                    delta = 0
                    h += 1
                }
            }
            delta += 1
            n += 1
        }
        return output
    }
}
