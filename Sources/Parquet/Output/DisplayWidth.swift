/// Terminal cells a string takes, per grapheme cluster (UAX #11 and UTS #51 as terminals apply them):
/// - a cluster with an East Asian Wide or Fullwidth scalar (`EastAsianWidthData`), or an emoji shown as emoji
///   (Emoji_Presentation, or any emoji followed by VS16 U+FE0F, flags, keycaps, ZWJ sequences), takes two cells;
/// - a cluster made only of zero-width scalars (combining marks Mn/Me, format characters Cf such as ZWJ and soft
///   hyphen, variation selectors) takes none;
/// - anything else takes one. Control characters are replaced before measuring (`TextGrid.clip`).
enum DisplayWidth {
    static func of(_ s: String) -> Int {
        var w = 0
        for c in s { w += of(c) }
        return w
    }

    static func of(_ c: Character) -> Int {
        let scalars = c.unicodeScalars
        guard let first = scalars.first else { return 0 }
        if scalars.count == 1 && first.isASCII { return first.value >= 0x20 && first.value != 0x7F ? 1 : 0 }
        var sawVisible = false
        var emoji = false
        for u in scalars {
            if u.value == 0xFE0F, sawVisible { emoji = true; continue }
            if isZeroWidth(u) { continue }
            if isWide(u.value) || u.properties.isEmojiPresentation { return 2 }
            if (0x1F1E6...0x1F1FF).contains(u.value) { return 2 }  // regional indicators (flags)
            sawVisible = true
        }
        // A keycap (digit + FE0F + 20E3) or a text-default emoji forced to emoji presentation by VS16.
        if emoji || scalars.contains(where: { $0.value == 0x20E3 }) && sawVisible { return 2 }
        return sawVisible ? 1 : 0
    }

    static func isZeroWidth(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .nonspacingMark, .enclosingMark, .format: return true
        default: return (0xFE00...0xFE0F).contains(u.value) || (0xE0100...0xE01EF).contains(u.value)
        }
    }

    static func isWide(_ v: UInt32) -> Bool {
        if v < 0x1100 { return false }
        let table = EastAsianWidthData.wide
        var lo = 0, hi = table.count - 1
        while lo <= hi {
            let mid = (lo + hi) >> 1
            let (a, b) = table[mid]
            if v < a { hi = mid - 1 } else if v > b { lo = mid + 1 } else { return true }
        }
        return false
    }

    /// The longest prefix of `s` that fits in `cells` cells.
    static func prefix(_ s: String, fitting cells: Int) -> String {
        var w = 0
        var end = s.startIndex
        for i in s.indices {
            let cw = of(s[i])
            if w + cw > cells { break }
            w += cw
            end = s.index(after: i)
        }
        return String(s[..<end])
    }
}
