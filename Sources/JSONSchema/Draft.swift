// JSON Schema drafts and their meta-schema URIs.

/// A JSON Schema specification version.
public enum SchemaDraft: String, Sendable, CaseIterable, Comparable {
    /// Draft 4 (`http://json-schema.org/draft-04/schema#`).
    case draft4 = "4"
    /// Draft 6 (`http://json-schema.org/draft-06/schema#`).
    case draft6 = "6"
    /// Draft 7 (`http://json-schema.org/draft-07/schema#`).
    case draft7 = "7"
    /// Draft 2019-09 (`https://json-schema.org/draft/2019-09/schema`), the first with vocabularies.
    case draft2019_09 = "2019-09"
    /// Draft 2020-12 (`https://json-schema.org/draft/2020-12/schema`), the default.
    case draft2020_12 = "2020-12"

    /// Publication order: draft 4 is the oldest.
    public static func < (a: SchemaDraft, b: SchemaDraft) -> Bool { a.order < b.order }

    var order: Int {
        switch self {
        case .draft4: return 4
        case .draft6: return 6
        case .draft7: return 7
        case .draft2019_09: return 2019
        case .draft2020_12: return 2020
        }
    }

    /// Parses `4`, `draft4`, `draft-04`, `2019-09`, `draft2020-12`, ...
    public init?(name: String) {
        var n = name.lowercased()
        if n.hasPrefix("draft") { n = String(n.dropFirst(5)) }
        if n.hasPrefix("-") { n = String(n.dropFirst()) }
        switch n {
        case "4", "04": self = .draft4
        case "6", "06": self = .draft6
        case "7", "07": self = .draft7
        case "2019-09", "201909": self = .draft2019_09
        case "2020-12", "202012": self = .draft2020_12
        default: return nil
        }
    }

    /// The canonical meta-schema URI (no fragment).
    public var metaSchemaURI: String {
        switch self {
        case .draft4: return "http://json-schema.org/draft-04/schema"
        case .draft6: return "http://json-schema.org/draft-06/schema"
        case .draft7: return "http://json-schema.org/draft-07/schema"
        case .draft2019_09: return "https://json-schema.org/draft/2019-09/schema"
        case .draft2020_12: return "https://json-schema.org/draft/2020-12/schema"
        }
    }

    /// The draft whose meta-schema is `uri` (with or without `#`, http or https).
    public init?(metaSchemaURI uri: String) {
        var u = URIs.stripFragment(uri)
        if u.hasPrefix("https://") { u = "http://" + u.dropFirst(8) }
        switch u {
        case "http://json-schema.org/draft-04/schema": self = .draft4
        case "http://json-schema.org/draft-06/schema": self = .draft6
        case "http://json-schema.org/draft-07/schema": self = .draft7
        case "http://json-schema.org/draft/2019-09/schema": self = .draft2019_09
        case "http://json-schema.org/draft/2020-12/schema": self = .draft2020_12
        default: return nil
        }
    }

    var idKeyword: String { self == .draft4 ? "id" : "$id" }
    /// `$ref` makes sibling keywords ignored (drafts 4–7).
    var refOverridesSiblings: Bool { self <= .draft7 }

    var formatDraft: FormatChecker.Draft {
        switch self {
        case .draft4: return .draft4
        case .draft6: return .draft6
        case .draft7: return .draft7
        case .draft2019_09: return .draft2019_09
        case .draft2020_12: return .draft2020_12
        }
    }
}

/// Which vocabularies of a 2019-09 / 2020-12 meta-schema are in force.
struct Vocabularies: Equatable, Sendable {
    var applicator = true
    var validation = true
    var unevaluated = true
    var formatAssertion = false

    static let all = Vocabularies()
}
