// Unicode property lookup for `\p{…}` / `\P{…}` (ECMA-262 table-driven names).

/// Binary Unicode properties supported in `\p{…}` (ECMA-262 table 68, where Swift exposes them).
enum BinaryProperty: String, Sendable, CaseIterable {
    case any, ascii, assigned
    case asciiHexDigit, alphabetic, bidiControl, bidiMirrored, caseIgnorable, cased
    case changesWhenCasefolded, changesWhenCasemapped, changesWhenLowercased
    case changesWhenNFKCCasefolded, changesWhenTitlecased, changesWhenUppercased
    case dash, defaultIgnorableCodePoint, deprecated, diacritic
    case emoji, emojiModifier, emojiModifierBase, emojiPresentation
    case extender, graphemeBase, graphemeExtend, hexDigit
    case idsBinaryOperator, idsTrinaryOperator, idContinue, idStart, ideographic
    case joinControl, logicalOrderException, lowercase, math, noncharacterCodePoint
    case patternSyntax, patternWhiteSpace, quotationMark, radical, regionalIndicator
    case sentenceTerminal, softDotted, terminalPunctuation, unifiedIdeograph, uppercase
    case variationSelector, whiteSpace, xidContinue, xidStart

    func contains(_ c: UInt32) -> Bool {
        switch self {
        case .any: return true
        case .ascii: return c < 0x80
        case .regionalIndicator: return c >= 0x1F1E6 && c <= 0x1F1FF
        default: break
        }
        guard let s = Unicode.Scalar(c) else { return false }
        let p = s.properties
        switch self {
        case .any, .ascii, .regionalIndicator: return true
        case .assigned: return p.generalCategory != .unassigned
        case .asciiHexDigit: return p.isASCIIHexDigit
        case .alphabetic: return p.isAlphabetic
        case .bidiControl: return p.isBidiControl
        case .bidiMirrored: return p.isBidiMirrored
        case .caseIgnorable: return p.isCaseIgnorable
        case .cased: return p.isCased
        case .changesWhenCasefolded: return p.changesWhenCaseFolded
        case .changesWhenCasemapped: return p.changesWhenCaseMapped
        case .changesWhenLowercased: return p.changesWhenLowercased
        case .changesWhenNFKCCasefolded: return p.changesWhenNFKCCaseFolded
        case .changesWhenTitlecased: return p.changesWhenTitlecased
        case .changesWhenUppercased: return p.changesWhenUppercased
        case .dash: return p.isDash
        case .defaultIgnorableCodePoint: return p.isDefaultIgnorableCodePoint
        case .deprecated: return p.isDeprecated
        case .diacritic: return p.isDiacritic
        case .emoji: return p.isEmoji
        case .emojiModifier: return p.isEmojiModifier
        case .emojiModifierBase: return p.isEmojiModifierBase
        case .emojiPresentation: return p.isEmojiPresentation
        case .extender: return p.isExtender
        case .graphemeBase: return p.isGraphemeBase
        case .graphemeExtend: return p.isGraphemeExtend
        case .hexDigit: return p.isHexDigit
        case .idsBinaryOperator: return p.isIDSBinaryOperator
        case .idsTrinaryOperator: return p.isIDSTrinaryOperator
        case .idContinue: return p.isIDContinue
        case .idStart: return p.isIDStart
        case .ideographic: return p.isIdeographic
        case .joinControl: return p.isJoinControl
        case .logicalOrderException: return p.isLogicalOrderException
        case .lowercase: return p.isLowercase
        case .math: return p.isMath
        case .noncharacterCodePoint: return p.isNoncharacterCodePoint
        case .patternSyntax: return p.isPatternSyntax
        case .patternWhiteSpace: return p.isPatternWhitespace
        case .quotationMark: return p.isQuotationMark
        case .radical: return p.isRadical
        case .sentenceTerminal: return p.isSentenceTerminal
        case .softDotted: return p.isSoftDotted
        case .terminalPunctuation: return p.isTerminalPunctuation
        case .unifiedIdeograph: return p.isUnifiedIdeograph
        case .uppercase: return p.isUppercase
        case .variationSelector: return p.isVariationSelector
        case .whiteSpace: return p.isWhitespace
        case .xidContinue: return p.isXIDContinue
        case .xidStart: return p.isXIDStart
        }
    }
}

enum UnicodeProperties {
    static let surrogateOrdinal: UInt32 = 27

    static func gcOrdinal(_ gc: Unicode.GeneralCategory) -> UInt32 {
        switch gc {
        case .uppercaseLetter: return 0
        case .lowercaseLetter: return 1
        case .titlecaseLetter: return 2
        case .modifierLetter: return 3
        case .otherLetter: return 4
        case .nonspacingMark: return 5
        case .spacingMark: return 6
        case .enclosingMark: return 7
        case .decimalNumber: return 8
        case .letterNumber: return 9
        case .otherNumber: return 10
        case .connectorPunctuation: return 11
        case .dashPunctuation: return 12
        case .openPunctuation: return 13
        case .closePunctuation: return 14
        case .initialPunctuation: return 15
        case .finalPunctuation: return 16
        case .otherPunctuation: return 17
        case .mathSymbol: return 18
        case .currencySymbol: return 19
        case .modifierSymbol: return 20
        case .otherSymbol: return 21
        case .spaceSeparator: return 22
        case .lineSeparator: return 23
        case .paragraphSeparator: return 24
        case .control: return 25
        case .format: return 26
        case .surrogate: return 27
        case .privateUse: return 28
        case .unassigned: return 29
        @unknown default: return 29
        }
    }

    private static func mask(_ ords: ClosedRange<UInt32>) -> UInt32 {
        var m: UInt32 = 0
        for o in ords { m |= 1 << o }
        return m
    }

    /// General_Category values by every alias of PropertyValueAliases.txt → ordinal mask.
    static let generalCategories: [String: UInt32] = {
        var t: [String: UInt32] = [:]
        func add(_ names: [String], _ m: UInt32) { for n in names { t[n] = m } }
        add(["L", "Letter"], mask(0...4))
        add(["LC", "Cased_Letter"], mask(0...2))
        add(["Lu", "Uppercase_Letter"], 1 << 0)
        add(["Ll", "Lowercase_Letter"], 1 << 1)
        add(["Lt", "Titlecase_Letter"], 1 << 2)
        add(["Lm", "Modifier_Letter"], 1 << 3)
        add(["Lo", "Other_Letter"], 1 << 4)
        add(["M", "Mark", "Combining_Mark"], mask(5...7))
        add(["Mn", "Nonspacing_Mark"], 1 << 5)
        add(["Mc", "Spacing_Mark"], 1 << 6)
        add(["Me", "Enclosing_Mark"], 1 << 7)
        add(["N", "Number"], mask(8...10))
        add(["Nd", "Decimal_Number", "digit"], 1 << 8)
        add(["Nl", "Letter_Number"], 1 << 9)
        add(["No", "Other_Number"], 1 << 10)
        add(["P", "Punctuation", "punct"], mask(11...17))
        add(["Pc", "Connector_Punctuation"], 1 << 11)
        add(["Pd", "Dash_Punctuation"], 1 << 12)
        add(["Ps", "Open_Punctuation"], 1 << 13)
        add(["Pe", "Close_Punctuation"], 1 << 14)
        add(["Pi", "Initial_Punctuation"], 1 << 15)
        add(["Pf", "Final_Punctuation"], 1 << 16)
        add(["Po", "Other_Punctuation"], 1 << 17)
        add(["S", "Symbol"], mask(18...21))
        add(["Sm", "Math_Symbol"], 1 << 18)
        add(["Sc", "Currency_Symbol"], 1 << 19)
        add(["Sk", "Modifier_Symbol"], 1 << 20)
        add(["So", "Other_Symbol"], 1 << 21)
        add(["Z", "Separator"], mask(22...24))
        add(["Zs", "Space_Separator"], 1 << 22)
        add(["Zl", "Line_Separator"], 1 << 23)
        add(["Zp", "Paragraph_Separator"], 1 << 24)
        add(["C", "Other"], mask(25...29))
        add(["Cc", "Control", "cntrl"], 1 << 25)
        add(["Cf", "Format"], 1 << 26)
        add(["Cs", "Surrogate"], 1 << 27)
        add(["Co", "Private_Use"], 1 << 28)
        add(["Cn", "Unassigned"], 1 << 29)
        return t
    }()

    /// Binary property names (long and short forms, as ECMA-262 lists them).
    static let binaryProperties: [String: BinaryProperty] = [
        "Any": .any, "ASCII": .ascii, "Assigned": .assigned,
        "ASCII_Hex_Digit": .asciiHexDigit, "AHex": .asciiHexDigit,
        "Alphabetic": .alphabetic, "Alpha": .alphabetic,
        "Bidi_Control": .bidiControl, "Bidi_C": .bidiControl,
        "Bidi_Mirrored": .bidiMirrored, "Bidi_M": .bidiMirrored,
        "Case_Ignorable": .caseIgnorable, "CI": .caseIgnorable,
        "Cased": .cased,
        "Changes_When_Casefolded": .changesWhenCasefolded, "CWCF": .changesWhenCasefolded,
        "Changes_When_Casemapped": .changesWhenCasemapped, "CWCM": .changesWhenCasemapped,
        "Changes_When_Lowercased": .changesWhenLowercased, "CWL": .changesWhenLowercased,
        "Changes_When_NFKC_Casefolded": .changesWhenNFKCCasefolded, "CWKCF": .changesWhenNFKCCasefolded,
        "Changes_When_Titlecased": .changesWhenTitlecased, "CWT": .changesWhenTitlecased,
        "Changes_When_Uppercased": .changesWhenUppercased, "CWU": .changesWhenUppercased,
        "Dash": .dash,
        "Default_Ignorable_Code_Point": .defaultIgnorableCodePoint, "DI": .defaultIgnorableCodePoint,
        "Deprecated": .deprecated, "Dep": .deprecated,
        "Diacritic": .diacritic, "Dia": .diacritic,
        "Emoji": .emoji,
        "Emoji_Modifier": .emojiModifier, "EMod": .emojiModifier,
        "Emoji_Modifier_Base": .emojiModifierBase, "EBase": .emojiModifierBase,
        "Emoji_Presentation": .emojiPresentation, "EPres": .emojiPresentation,
        "Extender": .extender, "Ext": .extender,
        "Grapheme_Base": .graphemeBase, "Gr_Base": .graphemeBase,
        "Grapheme_Extend": .graphemeExtend, "Gr_Ext": .graphemeExtend,
        "Hex_Digit": .hexDigit, "Hex": .hexDigit,
        "IDS_Binary_Operator": .idsBinaryOperator, "IDSB": .idsBinaryOperator,
        "IDS_Trinary_Operator": .idsTrinaryOperator, "IDST": .idsTrinaryOperator,
        "ID_Continue": .idContinue, "IDC": .idContinue,
        "ID_Start": .idStart, "IDS": .idStart,
        "Ideographic": .ideographic, "Ideo": .ideographic,
        "Join_Control": .joinControl, "Join_C": .joinControl,
        "Logical_Order_Exception": .logicalOrderException, "LOE": .logicalOrderException,
        "Lowercase": .lowercase, "Lower": .lowercase,
        "Math": .math,
        "Noncharacter_Code_Point": .noncharacterCodePoint, "NChar": .noncharacterCodePoint,
        "Pattern_Syntax": .patternSyntax, "Pat_Syn": .patternSyntax,
        "Pattern_White_Space": .patternWhiteSpace, "Pat_WS": .patternWhiteSpace,
        "Quotation_Mark": .quotationMark, "QMark": .quotationMark,
        "Radical": .radical,
        "Regional_Indicator": .regionalIndicator, "RI": .regionalIndicator,
        "Sentence_Terminal": .sentenceTerminal, "STerm": .sentenceTerminal,
        "Soft_Dotted": .softDotted, "SD": .softDotted,
        "Terminal_Punctuation": .terminalPunctuation, "Term": .terminalPunctuation,
        "Unified_Ideograph": .unifiedIdeograph, "UIdeo": .unifiedIdeograph,
        "Uppercase": .uppercase, "Upper": .uppercase,
        "Variation_Selector": .variationSelector, "VS": .variationSelector,
        "White_Space": .whiteSpace, "space": .whiteSpace,
        "XID_Continue": .xidContinue, "XIDC": .xidContinue,
        "XID_Start": .xidStart, "XIDS": .xidStart,
    ]

    static func parseTable(_ text: String) -> [String: [ClosedRange<UInt32>]] {
        var out: [String: [ClosedRange<UInt32>]] = [:]
        for entry in text.split(separator: ";") {
            let trimmed = entry.drop { $0 == "\n" }
            guard let colon = trimmed.firstIndex(of: ":") else { continue }
            let names = trimmed[..<colon].split(separator: "|").map(String.init)
            var ranges: [ClosedRange<UInt32>] = []
            for part in trimmed[trimmed.index(after: colon)...].split(separator: ",") {
                let p = part.filter { $0 != "\n" }
                if let dash = p.firstIndex(of: "-") {
                    if let lo = UInt32(p[..<dash], radix: 16), let hi = UInt32(p[p.index(after: dash)...], radix: 16) {
                        ranges.append(lo...hi)
                    }
                } else if let v = UInt32(p, radix: 16) {
                    ranges.append(v...v)
                }
            }
            for n in names { out[n] = ranges }
        }
        return out
    }

    static let scripts: [String: [ClosedRange<UInt32>]] = parseTable(UnicodeScriptData.script)
    static let scriptExtensions: [String: [ClosedRange<UInt32>]] = parseTable(UnicodeScriptData.scriptExtensions)

    /// Resolves the contents of `\p{…}`; nil when the name is not a valid ECMA-262 property.
    static func lookup(_ body: String) -> UnicodePropertyTest? {
        if let eq = body.firstIndex(of: "=") {
            let name = String(body[..<eq])
            let value = String(body[body.index(after: eq)...])
            switch name {
            case "General_Category", "gc":
                return generalCategories[value].map { .generalCategory($0) }
            case "Script", "sc":
                return scripts[value].map { .ranges($0) }
            case "Script_Extensions", "scx":
                return scriptExtensions[value].map { .ranges($0) }
            default:
                return nil
            }
        }
        if let m = generalCategories[body] { return .generalCategory(m) }
        if let b = binaryProperties[body] { return .binary(b) }
        return nil
    }
}
