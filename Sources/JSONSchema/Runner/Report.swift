// How `floe validate` reports each instance: text lines, `--json` lines, GitHub Actions workflow commands or JUnit
// XML. Every error carries the line and column of the failing value in its source.

import JSON

/// The report written on stdout.
public enum ReportStyle: String, Sendable, CaseIterable {
    /// `file:line:column: /pointer: message`, and `file: valid`.
    case text
    /// One JSON line per instance (the CLI conventions' `floe validate --json` format), errors with `"line"` and `"column"`.
    case json
    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…,title=…::message`.
    case github
    /// One JUnit XML document, a testcase per instance.
    case junit
}

/// A schema error with the source position of the value it is about.
public struct LocatedError: Sendable, Equatable {
    /// The validation error.
    public var error: SchemaValidationError
    /// The line and column of the instance value, when the format locates values.
    public var position: SourcePosition?
    /// Pairs `error` with `position`.
    public init(_ error: SchemaValidationError, _ position: SourcePosition?) {
        self.error = error
        self.position = position
    }
}

/// One JUnit testcase.
struct JUnitCase: Sendable {
    enum Kind: Sendable { case passed, failed, error, skipped }
    var name: String
    var kind: Kind
    var message: String = ""
    var detail: String = ""
}

/// The report formats of `floe validate` (text, JSON lines, GitHub annotations, JUnit XML).
public enum Report {
    /// `file:line:column` (or what of it is known).
    static func place(_ file: String, _ pos: SourcePosition?, recordLine: Int? = nil) -> String {
        if let pos { return "\(file):\(pos.line):\(pos.column)" }
        if let recordLine { return "\(file):\(recordLine)" }
        return file
    }

    /// The real path of a document name (`a.yaml#2` → `a.yaml`).
    static func path(of instance: String, documents: Bool) -> String {
        guard documents, let hash = instance.lastIndex(of: "#") else { return instance }
        return String(instance[..<hash])
    }

    static func valid(_ instance: String, line: Int?, style: ReportStyle) -> InstanceOutcome {
        switch style {
        case .text: return InstanceOutcome(bad: false, resultLine: line == nil ? "\(instance): valid" : nil)
        case .json: return InstanceOutcome(bad: false, resultLine: jsonLine(instance, line: line, valid: true, errors: []))
        case .github: return InstanceOutcome(bad: false)
        case .junit:
            var o = InstanceOutcome(bad: false)
            o.junit = JUnitCase(name: line.map { "\(instance):\($0)" } ?? instance, kind: .passed)
            return o
        }
    }

    static func invalid(_ instance: String, file: String, line: Int?, errors: [LocatedError], style: ReportStyle) -> InstanceOutcome {
        switch style {
        case .text:
            let lines = errors.map { e in
                let at = place(instance, e.position, recordLine: line)
                return e.error.instanceLocation.isEmpty ? "\(at): \(e.error.message)" : "\(at): \(e.error.instanceLocation): \(e.error.message)"
            }
            return InstanceOutcome(bad: true, resultLine: lines.joined(separator: "\n"))
        case .json:
            return InstanceOutcome(bad: true, resultLine: jsonLine(instance, line: line, valid: false, errors: errors))
        case .github:
            let lines = errors.map { e in
                let ptr = e.error.instanceLocation.isEmpty ? "/" : e.error.instanceLocation
                let doc = instance == file ? "" : " (\(instance[instance.index(after: instance.lastIndex(of: "#")!)...]))"
                return githubCommand(file: file, position: e.position ?? line.map { SourcePosition(line: $0, column: 1) },
                                     title: "schema violation at \(ptr)\(doc)", message: e.error.message)
            }
            return InstanceOutcome(bad: true, resultLine: lines.joined(separator: "\n"))
        case .junit:
            var o = InstanceOutcome(bad: true)
            let detail = errors.map { e in
                let at = place(instance, e.position, recordLine: line)
                return e.error.instanceLocation.isEmpty ? "\(at): \(e.error.message)" : "\(at): \(e.error.instanceLocation): \(e.error.message)"
            }.joined(separator: "\n")
            let first = errors.first.map { "\(place(instance, $0.position, recordLine: line)): \($0.error.message)" } ?? "invalid"
            o.junit = JUnitCase(name: line.map { "\(instance):\($0)" } ?? instance, kind: .failed,
                                message: errors.count == 1 ? first : "\(errors.count) errors; first: \(first)", detail: detail)
            return o
        }
    }

    /// An instance that cannot be read or decoded.
    static func unusable(_ instance: String, file: String, line: Int?, what: String, position: SourcePosition?,
                         style: ReportStyle, raw: Bool = false) -> InstanceOutcome
    {
        let at = place(instance, position, recordLine: line)
        switch style {
        case .text:
            return InstanceOutcome(bad: true, diagnostic: "floe: \(at): \(what)")
        case .json:
            var s = "{\"instance\":" + ValidateRunner.jsonString(instance)
            if let line { s += ",\"line\":\(line)" }
            if let position, line == nil { s += ",\"line\":\(position.line)" }
            if let position { s += ",\"column\":\(position.column)" }
            return InstanceOutcome(bad: true, resultLine: s + ",\"valid\":null,\"error\":" + ValidateRunner.jsonString(what) + "}")
        case .github:
            let pos = position ?? line.map { SourcePosition(line: $0, column: 1) }
            return InstanceOutcome(bad: true, resultLine: githubCommand(file: file, position: pos, title: "cannot validate", message: what))
        case .junit:
            var o = InstanceOutcome(bad: true)
            o.junit = JUnitCase(name: line.map { "\(instance):\($0)" } ?? instance, kind: .error, message: "\(at): \(what)", detail: "\(at): \(what)")
            return o
        }
    }

    /// An instance no schema applies to (`--schema-from-catalog`): listed, never a failure.
    static func skipped(_ instance: String, why: String, style: ReportStyle) -> InstanceOutcome {
        switch style {
        case .text: return InstanceOutcome(bad: false, resultLine: "\(instance): skipped (\(why))")
        case .json:
            return InstanceOutcome(bad: false, resultLine: "{\"instance\":" + ValidateRunner.jsonString(instance)
                + ",\"valid\":null,\"skipped\":" + ValidateRunner.jsonString(why) + "}")
        case .github: return InstanceOutcome(bad: false)
        case .junit:
            var o = InstanceOutcome(bad: false)
            o.junit = JUnitCase(name: instance, kind: .skipped, message: why)
            return o
        }
    }

    static func jsonLine(_ instance: String, line: Int?, valid: Bool, errors: [LocatedError]) -> String {
        var s = "{\"instance\":" + ValidateRunner.jsonString(instance)
        if let line { s += ",\"line\":\(line)" }
        s += ",\"valid\":\(valid),\"errors\":["
        for (i, e) in errors.enumerated() {
            if i > 0 { s += "," }
            s += "{\"instanceLocation\":" + ValidateRunner.jsonString(e.error.instanceLocation) + ",\"keywordLocation\":"
                + ValidateRunner.jsonString(e.error.keywordLocation) + ",\"message\":" + ValidateRunner.jsonString(e.error.message)
            if let p = e.position { s += ",\"line\":\(p.line),\"column\":\(p.column)" }
            s += "}"
        }
        return s + "]}"
    }

    // MARK: - GitHub Actions workflow commands

    /// `::error file=F,line=L,col=C,title=T::MESSAGE`, escaped as GitHub's runner does (toolkit `command.ts`):
    /// in the message `%` `\r` `\n` become `%25` `%0D` `%0A`; in property values also `:` `,` become `%3A` `%2C`.
    public static func githubCommand(file: String, position: SourcePosition?, title: String, message: String) -> String {
        var s = "::error file=" + githubProperty(file)
        if let position { s += ",line=\(position.line),col=\(position.column)" }
        return s + ",title=" + githubProperty(title) + "::" + githubData(message)
    }

    static func githubData(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "%": out += "%25"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    static func githubProperty(_ s: String) -> String {
        var out = ""
        for c in githubData(s).unicodeScalars {
            switch c {
            case ":": out += "%3A"
            case ",": out += "%2C"
            default: out.unicodeScalars.append(c)
            }
        }
        return out
    }

    // MARK: - JUnit XML

    /// The JUnit XML document of a run (the layout of Jenkins' `junit-10.xsd`: testsuites/testsuite/testcase with
    /// failure, error or skipped).
    static func junitDocument(_ cases: [JUnitCase], suite: String) -> String {
        let failures = cases.filter { $0.kind == .failed }.count
        let errors = cases.filter { $0.kind == .error }.count
        let skipped = cases.filter { $0.kind == .skipped }.count
        var s = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        s += "<testsuites name=\"floe validate\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
        s += "  <testsuite name=\"\(xml(suite))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"\(errors)\" skipped=\"\(skipped)\">\n"
        for c in cases {
            s += "    <testcase classname=\"floe.validate\" name=\"\(xml(c.name))\""
            switch c.kind {
            case .passed: s += "/>\n"
            case .failed: s += ">\n      <failure type=\"schema\" message=\"\(xml(c.message))\">\(xml(c.detail))</failure>\n    </testcase>\n"
            case .error: s += ">\n      <error type=\"unreadable\" message=\"\(xml(c.message))\">\(xml(c.detail))</error>\n    </testcase>\n"
            case .skipped: s += ">\n      <skipped message=\"\(xml(c.message))\"/>\n    </testcase>\n"
            }
        }
        return s + "  </testsuite>\n</testsuites>"
    }

    /// XML 1.0 character data / attribute value: markup escaped, characters XML cannot carry replaced by U+FFFD.
    static func xml(_ s: String) -> String {
        var out = ""
        for c in s.unicodeScalars {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\t": out += "&#9;"
            case "\r": out += "&#13;"
            default:
                let v = c.value
                if v < 0x20 || v == 0xFFFE || v == 0xFFFF { out += "\u{FFFD}" } else { out.unicodeScalars.append(c) }
            }
        }
        return out
    }
}
