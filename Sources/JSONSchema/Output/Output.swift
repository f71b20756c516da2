// Output units and the 2019-09+ output formats (flag, basic, detailed, verbose).

/// One evaluation result with its locations; `errors` holds nested results.
public struct OutputUnit: Sendable, Equatable {
    /// Whether this keyword (and everything below it) passed.
    public var valid: Bool
    /// JSON Pointer through the schema as evaluated (across `$ref`s).
    public var keywordLocation: String
    /// The keyword's absolute URI (`base#/pointer`), after resolving references.
    public var absoluteKeywordLocation: String?
    /// JSON Pointer to the instance value.
    public var instanceLocation: String
    /// The failure message of a failed leaf keyword; `nil` for passing units and for units whose failure is in
    /// ``errors``.
    public var error: String?
    /// Nested results (the subschemas' keywords).
    public var errors: [OutputUnit]

    /// A unit with the given fields.
    public init(valid: Bool, keywordLocation: String, absoluteKeywordLocation: String?, instanceLocation: String,
                error: String?, errors: [OutputUnit] = [])
    {
        self.valid = valid
        self.keywordLocation = keywordLocation
        self.absoluteKeywordLocation = absoluteKeywordLocation
        self.instanceLocation = instanceLocation
        self.error = error
        self.errors = errors
    }
}

/// The output structures of JSON Schema 2019-09 / 2020-12, section "Output Formatting".
public enum OutputFormat: String, Sendable, CaseIterable {
    /// `flag`: only `valid`; `basic`: a flat list of failed units; `detailed`: failed units nested as the schema is;
    /// `verbose`: every unit, passing ones too, nested.
    case flag, basic, detailed, verbose
}

/// A flat error: where in the instance, which keyword, and a message a person understands.
public struct SchemaValidationError: Sendable, Equatable, CustomStringConvertible {
    /// JSON Pointer to the failing value in the instance (`""` for the root).
    public let instanceLocation: String
    /// JSON Pointer through the schema as evaluated (across `$ref`s), ending at the keyword.
    public let keywordLocation: String
    /// The keyword's absolute URI (`base#/pointer`) after resolving references; `nil` when equal to the root's.
    public let absoluteKeywordLocation: String?
    /// What failed, for people (`"abc" is not of type "integer"`).
    public let message: String

    /// `<instance location or />: <message>`.
    public var description: String { "\(instanceLocation.isEmpty ? "/" : instanceLocation): \(message)" }
}

/// The result of `JSONSchemaValidator.validate`.
public struct ValidationResult: Sendable {
    /// Whether the instance is valid.
    public let valid: Bool
    /// Keyword results under the root (failed ones; with `verbose`, passing ones too).
    public let units: [OutputUnit]
    /// Set when the evaluation reached a `$ref` into a document that is not registered (Floe never fetches one):
    /// the instance has no verdict, and the schema must be completed (`--schema-dir`, `--map-uri`).
    public let unresolvedReference: String?
    /// The instance location (JSON pointer) that reached `unresolvedReference`.
    public let unresolvedReferenceAt: String?

    /// A result from its root units, and the unresolvable `$ref` the evaluation reached, if any.
    public init(valid: Bool, units: [OutputUnit], unresolvedReference: String? = nil, unresolvedReferenceAt: String? = nil) {
        self.valid = valid
        self.units = units
        self.unresolvedReference = unresolvedReference
        self.unresolvedReferenceAt = unresolvedReferenceAt
    }

    /// The leaf errors (the most specific failures), in evaluation order.
    public var errors: [SchemaValidationError] {
        var out: [SchemaValidationError] = []
        func walk(_ u: OutputUnit) {
            if u.valid { return }
            let failing = u.errors.filter { !$0.valid }
            if failing.isEmpty, let e = u.error {
                out.append(SchemaValidationError(instanceLocation: u.instanceLocation, keywordLocation: u.keywordLocation,
                                           absoluteKeywordLocation: u.absoluteKeywordLocation, message: e))
            }
            failing.forEach(walk)
        }
        units.forEach(walk)
        return out
    }

    /// The result in one of the standard output formats.
    public func output(_ format: OutputFormat) -> JSONValue {
        switch format {
        case .flag:
            return .object(JSONObject([("valid", .bool(valid))]))
        case .basic:
            var list: [JSONValue] = []
            func walk(_ u: OutputUnit) {
                if u.valid && !u.errors.contains(where: { !$0.valid }) { return }
                if u.error != nil && !u.valid { list.append(ValidationResult.json(u, children: nil)) }
                u.errors.forEach(walk)
            }
            units.forEach(walk)
            if valid { return .object(JSONObject([("valid", .bool(true))])) }
            return .object(JSONObject([("valid", .bool(false)), ("errors", .array(list))]))
        case .detailed:
            if valid { return .object(JSONObject([("valid", .bool(true))])) }
            func condense(_ u: OutputUnit) -> OutputUnit? {
                if u.valid { return nil }
                var c = u
                c.errors = u.errors.compactMap(condense)
                if c.errors.count == 1 && c.errors[0].instanceLocation.hasPrefix(c.instanceLocation) { return c.errors[0] }
                return c
            }
            let kids = units.compactMap(condense)
            if kids.count == 1 { return ValidationResult.json(kids[0], children: kids[0].errors) }
            return ValidationResult.json(OutputUnit(valid: false, keywordLocation: "", absoluteKeywordLocation: nil,
                                                    instanceLocation: "", error: nil, errors: kids), children: kids)
        case .verbose:
            return ValidationResult.json(OutputUnit(valid: valid, keywordLocation: "", absoluteKeywordLocation: nil,
                                                    instanceLocation: "", error: nil, errors: units), children: units)
        }
    }

    static func json(_ u: OutputUnit, children: [OutputUnit]?) -> JSONValue {
        var o = JSONObject()
        o.append(key: "valid", value: .bool(u.valid))
        o.append(key: "keywordLocation", value: .string(u.keywordLocation))
        if let a = u.absoluteKeywordLocation { o.append(key: "absoluteKeywordLocation", value: .string(a)) }
        o.append(key: "instanceLocation", value: .string(u.instanceLocation))
        if let e = u.error { o.append(key: "error", value: .string(e)) }
        if let children, !children.isEmpty {
            o.append(key: u.valid ? "annotations" : "errors", value: .array(children.map { json($0, children: $0.errors) }))
        }
        return .object(o)
    }
}
