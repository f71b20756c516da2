// Instance transforms applied before validation (check-jsonschema's `--data-transform`).
//
// `azure-pipelines`: Azure Pipelines files hold compile-time template expressions (`${{ if … }}:`,
// `${{ each x in xs }}:`, `${{ insert }}:`) as mapping keys, which no JSON Schema can describe. The Azure Pipelines
// language server (azure-pipelines-language-server, yamlParser.ts) and check-jsonschema "unnest" them before
// validating, and so does Floe, by the same rule:
// - in a sequence, an item that is a one-key mapping whose key is an expression is replaced by its (transformed)
//   value, spliced in when that value is a sequence;
// - in a mapping, a member whose key is an expression lifts the members of its (transformed) value into the
//   enclosing mapping when that value is a mapping, and is dropped otherwise.
// An expression is a string that starts with `${{` and ends with `}}`. A document whose top level is a sequence is
// not a pipeline (an error, as in check-jsonschema).
//
// Every value of the result keeps its source position: the transform records, for each JSON pointer of the result,
// the pointer of the value it came from.

import JSON

/// A transform of decoded instances before validation (`floe validate --data-transform NAME`).
public enum DataTransform: String, Sendable, CaseIterable {
    /// Unnests Azure Pipelines `${{ }}` template expressions used as keys (see the file header for the rule).
    case azurePipelines = "azure-pipelines"

    /// The transform check-jsonschema's hook for a built-in schema applies (`check-azure-pipelines`).
    public static func forBuiltinSchema(_ name: String) -> DataTransform? {
        name == "azure-pipelines" || name == "vendor.azure-pipelines" ? .azurePipelines : nil
    }

    /// Transforms a decoded document; positions of the result map back to the source.
    public func apply(_ doc: InstanceDocument) throws(InstanceDecodeError) -> InstanceDocument {
        switch self {
        case .azurePipelines:
            guard case .object = doc.value else {
                throw InstanceDecodeError("azure-pipelines transform: the document must be a mapping, not \(doc.value.typeName)")
            }
            var t = AzureUnnest(map: [:])
            let v = t.value(doc.value, new: [], old: [])
            let locate = doc.locate
            let origin = t.map
            return InstanceDocument(value: v, locate: { ptr in locate(origin[ptr] ?? ptr) })
        }
    }
}

extension JSONValue {
    fileprivate var typeName: String {
        switch self {
        case .array: return "a sequence"
        case .object: return "a mapping"
        default: return "a scalar"
        }
    }
}

/// The `${{ }}` unnesting of `DataTransform.azurePipelines`.
private struct AzureUnnest {
    /// Result pointer → source pointer, for every value whose pointer changed.
    var map: [String: String]

    /// A provisional pointer token for values about to be spliced or lifted (never a YAML key: it holds a NUL).
    static let pending = "\u{0}unnested"

    static func isExpression(_ s: String) -> Bool { s.hasPrefix("${{") && s.hasSuffix("}}") }

    mutating func record(_ new: [String], _ old: [String]) {
        if new != old { map[JSONPointer.string(new)] = JSONPointer.string(old) }
    }

    mutating func value(_ v: JSONValue, new: [String], old: [String]) -> JSONValue {
        record(new, old)
        switch v {
        case .object(let o): return .object(object(o, new: new, old: old))
        case .array(let a): return .array(array(a, new: new, old: old))
        default: return v
        }
    }

    mutating func array(_ a: [JSONValue], new: [String], old: [String]) -> [JSONValue] {
        var out: [JSONValue] = []
        out.reserveCapacity(a.count)
        for (i, item) in a.enumerated() {
            if case .object(let o) = item, o.count == 1, let first = o.members.first, AzureUnnest.isExpression(first.key) {
                let (k, inner) = (first.key, first.value)
                let innerOld = old + [String(i), k]
                if case .array(let list) = inner {
                    // Spliced: each element of the expression's sequence becomes an item here.
                    let t = array(list, new: new + [AzureUnnest.pending], old: innerOld)
                    for (j, e) in t.enumerated() {
                        let here = new + [String(out.count)]
                        remap(from: new + [AzureUnnest.pending, String(j)], to: here, e)
                        out.append(e)
                    }
                } else {
                    out.append(value(inner, new: new + [String(out.count)], old: innerOld))
                }
            } else {
                out.append(value(item, new: new + [String(out.count)], old: old + [String(i)]))
            }
        }
        return out
    }

    mutating func object(_ o: JSONObject, new: [String], old: [String]) -> JSONObject {
        var keys: [String] = []
        var values: [String: JSONValue] = [:]
        func put(_ k: String, _ v: JSONValue) {
            if values.updateValue(v, forKey: k) == nil { keys.append(k) }
        }
        for (k, v) in o.members {
            if AzureUnnest.isExpression(k) {
                // Lifted: the expression's mapping members become members here; anything else is dropped.
                guard case .object(let inner) = v else { continue }
                let t = object(inner, new: new + [AzureUnnest.pending], old: old + [k])
                for (ik, iv) in t.members {
                    remap(from: new + [AzureUnnest.pending, ik], to: new + [ik], iv)
                    put(ik, iv)
                }
            } else {
                put(k, value(v, new: new + [k], old: old + [k]))
            }
        }
        return JSONObject(keys.map { ($0, values[$0]!) })
    }

    /// Moves the recorded origins of a value (and everything below it) from a provisional pointer to its final one.
    mutating func remap(from: [String], to: [String], _ v: JSONValue) {
        let f = JSONPointer.string(from)
        let t = JSONPointer.string(to)
        for (k, origin) in map where k == f || k.hasPrefix(f + "/") {
            map[k] = nil
            map[t + k.dropFirst(f.count)] = origin
        }
    }
}
