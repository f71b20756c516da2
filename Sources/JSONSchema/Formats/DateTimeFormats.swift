// RFC 3339 date-time, full-date, full-time, and duration (RFC 3339 appendix A).

enum DateTimeFormats {
    private struct Cursor {
        let u: [Unicode.Scalar]
        var i = 0
        init(_ s: String) { u = Array(s.unicodeScalars) }
        var atEnd: Bool { i >= u.count }

        mutating func digits(_ n: Int) -> Int? {
            guard i + n <= u.count else { return nil }
            var v = 0
            for k in i..<(i + n) {
                guard isASCIIDigit(u[k]) else { return nil }
                v = v * 10 + Int(u[k].value - 0x30)
            }
            i += n
            return v
        }

        mutating func eat(_ c: Unicode.Scalar) -> Bool {
            if i < u.count && u[i] == c { i += 1; return true }
            return false
        }

        mutating func eatInsensitive(_ c: Unicode.Scalar) -> Bool {
            if i < u.count && (u[i] == c || u[i].value == c.value + 0x20) { i += 1; return true }
            return false
        }
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 1, 3, 5, 7, 8, 10, 12: return 31
        case 4, 6, 9, 11: return 30
        case 2: return (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
        default: return 0
        }
    }

    private static func fullDate(_ c: inout Cursor) -> Bool {
        guard let y = c.digits(4), c.eat("-"), let m = c.digits(2), c.eat("-"), let d = c.digits(2) else { return false }
        return m >= 1 && m <= 12 && d >= 1 && d <= daysIn(month: m, year: y)
    }

    private static func fullTime(_ c: inout Cursor) -> Bool {
        guard let h = c.digits(2), c.eat(":"), let m = c.digits(2), c.eat(":"), let s = c.digits(2) else { return false }
        if c.eat(".") {
            var n = 0
            while !c.atEnd, isASCIIDigit(c.u[c.i]) { c.i += 1; n += 1 }
            if n == 0 { return false }
        }
        guard h <= 23, m <= 59, s <= 60 else { return false }
        var offsetMinutes = 0
        if c.eatInsensitive("Z") {
            offsetMinutes = 0
        } else {
            let sign: Int
            if c.eat("+") { sign = 1 } else if c.eat("-") { sign = -1 } else { return false }
            guard let oh = c.digits(2), c.eat(":"), let om = c.digits(2), oh <= 23, om <= 59 else { return false }
            offsetMinutes = sign * (oh * 60 + om)
        }
        if s == 60 {
            // A leap second is only valid at 23:59 UTC.
            var utc = (h * 60 + m - offsetMinutes) % 1440
            if utc < 0 { utc += 1440 }
            if utc != 23 * 60 + 59 { return false }
        }
        return true
    }

    static func isDate(_ s: String) -> Bool {
        var c = Cursor(s)
        return fullDate(&c) && c.atEnd
    }

    static func isTime(_ s: String) -> Bool {
        var c = Cursor(s)
        return fullTime(&c) && c.atEnd
    }

    static func isDateTime(_ s: String) -> Bool {
        var c = Cursor(s)
        return fullDate(&c) && c.eatInsensitive("T") && fullTime(&c) && c.atEnd
    }

    /// RFC 3339 appendix A (ISO 8601 durations, integer components only).
    private static let durationRegex: ECMARegex = {
        let time = "T(?:\\d+H(?:\\d+M(?:\\d+S)?)?|\\d+M(?:\\d+S)?|\\d+S)"
        let date = "(?:\\d+D|\\d+M(?:\\d+D)?|\\d+Y(?:\\d+M(?:\\d+D)?)?)"
        return try! ECMARegex("^P(?:\(date)(?:\(time))?|\(time)|\\d+W)$")
    }()

    static func isDuration(_ s: String) -> Bool {
        (try? durationRegex.matches(in: s)) ?? false
    }
}
