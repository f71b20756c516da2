/// Output formats of `floe cat`.
public enum RowFormat: String, Sendable, CaseIterable {
    /// Canonical JSON lines; CSV (RFC 4180, header line, nested values as JSON text); an aligned text table.
    case jsonl, csv, table
}

/// Reads rows of a file (optionally projected and limited) and renders them as JSON lines, CSV or a text grid,
/// handing out the bytes in chunks. Memory: one row group's projected columns plus one output chunk.
public struct RowExporter {
    /// The file being read.
    public let file: ParquetFile
    /// The projection being rendered.
    public let plan: AssemblyPlan
    /// Page reading options (checksum verification).
    public var options: ReadOptions

    /// Row groups to read (all when nil), in file order.
    public let rowGroups: [Int]
    /// Names this file in errors when several files are exported together (a table's files).
    public var label: String?

    /// An exporter of `columns` (dotted paths; `nil`: all) of the row groups `rowGroups` (`nil`: all).
    ///
    /// - Throws: ``ParquetError/invalidArgument(_:)`` for an unknown column path or a row group out of range.
    public init(file: ParquetFile, columns: [String]? = nil, rowGroups: [Int]? = nil,
                options: ReadOptions = ReadOptions()) throws {
        self.file = file
        self.options = options
        let selected = try columns.map { try file.schema.leafIndices(forPaths: $0) }
        plan = AssemblyPlan(schema: file.schema, selected: selected)
        if let rowGroups {
            for g in rowGroups where g < 0 || g >= file.rowGroupCount {
                throw ParquetError.invalidArgument("row group \(g) out of range 0..<\(file.rowGroupCount)")
            }
            self.rowGroups = rowGroups
        } else {
            self.rowGroups = Array(0..<file.rowGroupCount)
        }
        try file.checkReadable(columns: plan.columns)
    }

    /// Visits up to `limit` rows as canonical JSON lines, row group by row group; `body` gets the sink after
    /// each row (its `out` holds the rows not yet taken; set `out` empty to take them).
    public func forEachRow(limit: Int?, _ body: (inout JSONLineSink) throws -> Void,
                           groupEnd: (inout JSONLineSink) -> Void = { _ in }) throws {
        var remaining = limit ?? Int.max
        for g in rowGroups where remaining > 0 {
            let rows = file.metadata.rowGroups[g].numRows
            if rows == 0 { continue }
            try file.willRead(rowGroup: g, columns: plan.columns)
            let cols = try plan.columns.map { try file.readColumn(rowGroup: g, column: $0, options: options) }
            var assembler = RecordAssembler(plan: plan, columns: cols)
            var sink = JSONLineSink(columns: cols)
            var r: Int64 = 0
            while r < rows && remaining > 0 {
                try assembler.next(into: &sink)
                try body(&sink)
                r += 1
                remaining -= 1
            }
            groupEnd(&sink)
            if remaining > 0 && !assembler.isAtEnd {
                let extra = assembler.unfinishedColumns.map { cols[$0].descriptor.dottedPath }.joined(separator: ", ")
                throw ParquetError.corrupt("row group \(g): column \(extra) holds more values than its \(rows) rows")
            }
        }
    }

    /// Renders rows in `format`, calling `write` with chunks of output bytes.
    public func export(format: RowFormat, limit: Int?, write: ([UInt8]) -> Void) throws {
        try Self.export([self], format: format, limit: limit, write: write)
    }

    /// Renders the rows of several files (a table's files) as one output: one CSV header, one grid, `limit`
    /// rows in all. Header names come from the first file's projection.
    public static func export(_ parts: [RowExporter], format: RowFormat, limit: Int?,
                              write: ([UInt8]) -> Void) throws {
        var remaining = limit ?? Int.max
        let names = parts.first?.plan.fields.map(\.name) ?? []
        var buf: [UInt8] = []
        var grid = TextGrid(header: names)
        if format == .csv { buf.append(contentsOf: CSV.row(names.map { Array($0.utf8) })) }
        for (index, part) in parts.enumerated() where remaining > 0 {
            var taken = 0
            do {
                switch format {
                case .jsonl:
                    try part.forEachRow(limit: remaining, { sink in
                        taken += 1
                        if sink.out.count >= 1 << 16 {
                            write(sink.out)
                            sink.out.removeAll(keepingCapacity: true)
                        }
                    }, groupEnd: { sink in
                        if !sink.out.isEmpty { write(sink.out) }
                    })
                case .csv:
                    try part.forEachRow(limit: remaining) { sink in
                        taken += 1
                        let cells = sink.fieldRanges.map { JSONText.cellText(sink.out[$0]) }
                        buf.append(contentsOf: CSV.row(cells))
                        sink.out.removeAll(keepingCapacity: true)
                        if buf.count >= 1 << 16 {
                            write(buf)
                            buf.removeAll(keepingCapacity: true)
                        }
                    }
                case .table:
                    try part.forEachRow(limit: remaining) { sink in
                        taken += 1
                        grid.add(sink.fieldRanges.map {
                            JSONText.isNull(sink.out[$0]) ? TextGrid.nullCell
                                : String(decoding: JSONText.cellText(sink.out[$0]), as: UTF8.self)
                        })
                        sink.out.removeAll(keepingCapacity: true)
                    }
                }
            } catch let e as ParquetError where parts.count > 1 {
                throw e.prefixed(part.label ?? "file \(index + 1)")
            }
            remaining -= taken
        }
        switch format {
        case .jsonl: break
        case .csv: write(buf)
        case .table: write(Array(grid.render().utf8))
        }
    }
}

/// Helpers for turning a canonical JSON value into a cell: strings unquoted and unescaped, null empty,
/// everything else (numbers, objects, arrays) as its JSON text.
enum JSONText {
    static func isNull(_ v: ArraySlice<UInt8>) -> Bool {
        v.count == 4 && v.first == UInt8(ascii: "n")
    }

    static func cellText(_ v: ArraySlice<UInt8>) -> [UInt8] {
        guard let f = v.first else { return [] }
        if f == UInt8(ascii: "n") && v.count == 4 { return [] }
        guard f == UInt8(ascii: "\"") else { return Array(v) }
        var out: [UInt8] = []
        out.reserveCapacity(v.count)
        var i = v.startIndex + 1
        let end = v.endIndex - 1
        while i < end {
            let b = v[i]
            if b != UInt8(ascii: "\\") {
                out.append(b)
                i += 1
                continue
            }
            let e = v[i + 1]
            switch e {
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "u"):
                // Only \u00xx control characters are produced by the canonical writer.
                let hex = v[(i + 2)..<(i + 6)]
                if let code = UInt8(String(decoding: hex, as: UTF8.self), radix: 16) { out.append(code) }
                i += 6
                continue
            default: out.append(e)
            }
            i += 2
        }
        return out
    }
}

/// RFC 4180 quoting: a field with a comma, quote, CR or LF is quoted, quotes doubled.
enum CSV {
    static func row(_ cells: [[UInt8]]) -> [UInt8] {
        var out: [UInt8] = []
        for (i, c) in cells.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            if c.contains(where: { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 0x0A || $0 == 0x0D }) {
                out.append(UInt8(ascii: "\""))
                for b in c {
                    if b == UInt8(ascii: "\"") { out.append(b) }
                    out.append(b)
                }
                out.append(UInt8(ascii: "\""))
            } else {
                out.append(contentsOf: c)
            }
        }
        out.append(0x0A)
        return out
    }
}

/// A text grid for people: columns padded to their widest cell by display width (`DisplayWidth`: East Asian wide
/// characters and emoji take two cells, combining marks none), cells cut at 40 cells, null shown as `NULL` so that
/// it differs from an empty string.
struct TextGrid {
    var header: [String]
    var rows: [[String]] = []
    static let maxWidth = 40
    static let nullCell = "NULL"

    init(header: [String]) { self.header = header }

    mutating func add(_ cells: [String]) {
        rows.append(cells.map { Self.clip($0) })
    }

    static func clip(_ s: String) -> String {
        let flat = String(s.map { $0 == "\n" || $0 == "\r" || $0 == "\t" ? " " : $0 })
        if DisplayWidth.of(flat) <= maxWidth { return flat }
        return DisplayWidth.prefix(flat, fitting: maxWidth - 1) + "…"
    }

    static func displayWidth(_ s: String) -> Int { DisplayWidth.of(s) }

    func render() -> String {
        var widths = header.map { Self.displayWidth($0) }
        for r in rows {
            for (i, c) in r.enumerated() where i < widths.count { widths[i] = max(widths[i], Self.displayWidth(c)) }
        }
        func line(_ cells: [String]) -> String {
            var s = "|"
            for (i, w) in widths.enumerated() {
                let c = i < cells.count ? cells[i] : ""
                s += " " + c + String(repeating: " ", count: max(0, w - Self.displayWidth(c))) + " |"
            }
            return s + "\n"
        }
        let sep = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+\n"
        var out = sep + line(header) + sep
        for r in rows { out += line(r) }
        out += sep
        out += "(\(rows.count) row\(rows.count == 1 ? "" : "s"))\n"
        return out
    }
}
