import Testing
@testable import Parquet

// `floe cat --format table` aligns columns by terminal cells (UAX #11 East Asian Width, UTS #51 emoji
// presentation; combining marks take no cell), and shows null differently from an empty string.

@Suite struct DisplayWidthTests {
    @Test func asciiTakesOneCellEach() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("") == 0)
    }

    @Test func eastAsianWideAndFullwidthTakeTwo() {
        #expect(DisplayWidth.of("日本語") == 6)           // CJK ideographs: W
        #expect(DisplayWidth.of("한국") == 4)             // Hangul syllables: W
        #expect(DisplayWidth.of("ＡＢ") == 4)             // fullwidth Latin: F
        #expect(DisplayWidth.of("ｱｲ") == 2)              // halfwidth katakana: H, one cell each
        #expect(DisplayWidth.of("é") == 1)                // precomposed
    }

    @Test func combiningMarksTakeNone() {
        #expect(DisplayWidth.of("e\u{301}") == 1)         // e + COMBINING ACUTE ACCENT: one cluster, one cell
        #expect(DisplayWidth.of("a\u{20DD}") == 1)        // enclosing mark
        #expect(DisplayWidth.of("\u{200D}") == 0)         // a lone ZWJ (format character)
    }

    @Test func emojiTakeTwo() {
        #expect(DisplayWidth.of("😀") == 2)               // Emoji_Presentation
        #expect(DisplayWidth.of("👍🏽") == 2)              // with a skin-tone modifier: one cluster
        #expect(DisplayWidth.of("👩‍👩‍👧") == 2)             // ZWJ sequence
        #expect(DisplayWidth.of("🇯🇵") == 2)              // flag (regional indicators)
        #expect(DisplayWidth.of("❤\u{FE0F}") == 2)        // text-default emoji with VS16
        #expect(DisplayWidth.of("❤") == 1)                // text presentation by default
        #expect(DisplayWidth.of("1\u{FE0F}\u{20E3}") == 2) // keycap
    }

    @Test func clipCutsByCellsNotCharacters() {
        let wide = String(repeating: "日", count: 30)   // 60 cells
        let clipped = TextGrid.clip(wide)
        #expect(DisplayWidth.of(clipped) <= TextGrid.maxWidth)
        #expect(clipped.hasSuffix("…"))
        #expect(clipped == String(repeating: "日", count: 19) + "…")
    }

    @Test func gridAlignsByDisplayWidth() {
        var g = TextGrid(header: ["name", "n"])
        g.add(["日本", "1"])
        g.add(["ab", "22"])
        g.add(["😀x", "3"])
        let lines = g.render().split(separator: "\n").map(String.init).filter { $0.hasPrefix("|") }
        // Every row's cell separators sit at the same terminal column.
        let widths = Set(lines.map { DisplayWidth.of($0) })
        #expect(widths.count == 1, "\(lines)")
        #expect(lines[1] == "| 日本 | 1  |")
        #expect(lines[2] == "| ab   | 22 |")
    }

    @Test func nullDiffersFromEmptyString() {
        #expect(JSONText.isNull(ArraySlice(Array("null".utf8))))
        #expect(!JSONText.isNull(ArraySlice(Array("\"\"".utf8))))
        #expect(!JSONText.isNull(ArraySlice(Array("\"null\"".utf8))))
        #expect(JSONText.cellText(ArraySlice(Array("\"\"".utf8))).isEmpty)
    }
}
