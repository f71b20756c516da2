// DATE, TIMESTAMP, INT96, TIME. Proleptic Gregorian calendar, astronomical year numbering (year 0 exists,
// 1 BC is year 0, 2 BC is -1). Years 0000...9999 print as four digits; others with a sign and at least four
// digits (`+10000`, `-0001`, i.e. chrono's `{:+05}`). Everything is computed from the integer with floor
// division and no intermediate overflow, so every Int32 / Int64 / INT96 input prints.

extension CanonicalFormat {
    /// Unit of a TIMESTAMP / TIME value.
    public enum TimeUnit: Sendable, Hashable {
        /// Seconds, milliseconds, microseconds or nanoseconds.
        case seconds, millis, micros, nanos

        /// Ticks per second.
        public var perSecond: Int64 {
            switch self {
            case .seconds: 1
            case .millis: 1_000
            case .micros: 1_000_000
            case .nanos: 1_000_000_000
            }
        }

        /// Fraction digits printed after the seconds.
        public var fractionDigits: Int {
            switch self {
            case .seconds: 0
            case .millis: 3
            case .micros: 6
            case .nanos: 9
            }
        }
    }

    /// Julian day number of 1970-01-01 (INT96 timestamps store Julian days).
    public static let julianDayOfUnixEpoch: Int64 = 2_440_588

    // MARK: - Civil calendar (Howard Hinnant's algorithms, valid for every Int64 day)

    /// The proleptic Gregorian date `days` after 1970-01-01. Valid for all of Int64.
    public static func civilFromDays(_ days: Int64) -> (year: Int64, month: Int, day: Int) {
        // era = floor((days + 719468) / 146097) without forming days + 719468 (which could overflow).
        var era = days / 146_097
        var r = days % 146_097
        if r < 0 {
            era -= 1
            r += 146_097
        }
        r += 719_468  // 0..865564
        era += r / 146_097
        let doe = r % 146_097  // day of era, 0...146096
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365  // 0...399
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)  // 0...365, from March 1
        let mp = (5 * doy + 2) / 153  // 0...11, March = 0
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = era * 400 + yoe + (month <= 2 ? 1 : 0)
        return (year, Int(month), Int(day))
    }

    /// Days from 1970-01-01 to the proleptic Gregorian date (month 1...12, day 1...31). Exact whenever the
    /// result fits an Int64 (the arithmetic wraps, so intermediate overflow cannot trap or corrupt it);
    /// inverse of `civilFromDays`.
    public static func daysFromCivil(year: Int64, month: Int, day: Int) -> Int64 {
        let y = month <= 2 ? year &- 1 : year
        var era = y / 400
        var yoe = y % 400
        if yoe < 0 {
            era -= 1
            yoe += 400
        }
        let mp = Int64(month > 2 ? month - 3 : month + 9)
        let doy = (153 * mp + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era &* 146_097 &+ (doe &- 719_468)
    }

    // MARK: - Writers

    /// Writes `YYYY-MM-DD` (with the sign rule for years outside 0...9999) at `p`.
    static func putDate(days: Int64, at p: inout UnsafeMutablePointer<UInt8>) {
        let (year, month, day) = civilFromDays(days)
        if year >= 0 && year <= 9999 {
            putPadded(UInt64(year), width: 4, at: &p)
        } else {
            p[0] = year < 0 ? 0x2D : 0x2B
            p += 1
            putPadded(year.magnitude, width: 4, at: &p)
        }
        p[0] = 0x2D
        p += 1
        put2(month, at: &p)
        p[0] = 0x2D
        p += 1
        put2(day, at: &p)
    }

    /// Writes `HH:MM:SS` (hours may exceed 23 and take more digits) and `.` + `fractionDigits` digits.
    static func putTime(seconds: UInt64, fraction: UInt64, fractionDigits: Int, at p: inout UnsafeMutablePointer<UInt8>) {
        putPadded(seconds / 3600, width: 2, at: &p)
        p[0] = 0x3A
        p += 1
        put2(Int((seconds / 60) % 60), at: &p)
        p[0] = 0x3A
        p += 1
        put2(Int(seconds % 60), at: &p)
        if fractionDigits > 0 {
            p[0] = 0x2E
            p += 1
            putPadded(fraction, width: fractionDigits, at: &p)
        }
    }

    /// A DATE: `"YYYY-MM-DD"`.
    public static func appendDate(daysSinceEpoch days: Int32, to out: inout [UInt8]) {
        appendDate(daysSinceEpoch: Int64(days), to: &out)
    }

    /// A date `days` after 1970-01-01 (any Int64): `"YYYY-MM-DD"`.
    public static func appendDate(daysSinceEpoch days: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buf in
            var p = buf.baseAddress!
            p[0] = quote
            p += 1
            putDate(days: days, at: &p)
            p[0] = quote
            p += 1
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: p - buf.baseAddress!))
        }
    }

    /// `"<date>T<HH:MM:SS>[.<fraction>][Z]"` for a day number and a time within that day.
    static func appendDateTime(
        days: Int64, secondOfDay: UInt64, fraction: UInt64, fractionDigits: Int, utc: Bool, to out: inout [UInt8]
    ) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 80) { buf in
            var p = buf.baseAddress!
            p[0] = quote
            p += 1
            putDate(days: days, at: &p)
            p[0] = 0x54  // T
            p += 1
            putTime(seconds: secondOfDay, fraction: fraction, fractionDigits: fractionDigits, at: &p)
            if utc {
                p[0] = 0x5A  // Z
                p += 1
            }
            p[0] = quote
            p += 1
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: p - buf.baseAddress!))
        }
    }

    /// A TIMESTAMP: `"YYYY-MM-DDTHH:MM:SS"` + `.fff` / `.ffffff` / `.fffffffff` by unit (nothing for seconds),
    /// then `Z` iff `utc` (isAdjustedToUTC; legacy TIMESTAMP_MILLIS/MICROS are UTC). Any Int64 prints.
    public static func appendTimestamp(_ value: Int64, unit: TimeUnit, utc: Bool, to out: inout [UInt8]) {
        let perSecond = unit.perSecond
        let perDay = 86_400 * perSecond
        var days = value / perDay
        var rem = value % perDay
        if rem < 0 {
            days -= 1
            rem += perDay
        }
        appendDateTime(
            days: days, secondOfDay: UInt64(rem / perSecond), fraction: UInt64(rem % perSecond),
            fractionDigits: unit.fractionDigits, utc: utc, to: &out)
    }

    /// An INT96 timestamp: nanosecond precision, no `Z` (`"2009-03-01T00:00:00.000000000"`). Exact for any
    /// Julian day and any nanosOfDay (nanos beyond one day carry into the date).
    public static func appendInt96Timestamp(_ value: Int96, to out: inout [UInt8]) {
        let nanosPerDay: UInt64 = 86_400_000_000_000
        let carryDays = Int64(value.nanosOfDay / nanosPerDay)  // <= 213_503
        let nanos = value.nanosOfDay % nanosPerDay
        let days = Int64(value.julianDay) - julianDayOfUnixEpoch + carryDays
        appendDateTime(
            days: days, secondOfDay: nanos / 1_000_000_000, fraction: nanos % 1_000_000_000,
            fractionDigits: 9, utc: false, to: &out)
    }

    /// A TIME: `"HH:MM:SS"` + `.fff` / `.ffffff` / `.fffffffff` by unit, no zone.
    ///
    /// Out-of-range values (invalid data) still print, without wrapping: a value of a day or more shows hours
    /// beyond 23 (`"25:00:00.000"`), a negative value is its magnitude with a leading `-` (`"-00:00:01.000"`).
    public static func appendTime(_ value: Int64, unit: TimeUnit, to out: inout [UInt8]) {
        let magnitude = value.magnitude
        let perSecond = UInt64(unit.perSecond)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buf in
            var p = buf.baseAddress!
            p[0] = quote
            p += 1
            if value < 0 {
                p[0] = 0x2D
                p += 1
            }
            putTime(
                seconds: magnitude / perSecond, fraction: magnitude % perSecond, fractionDigits: unit.fractionDigits,
                at: &p)
            p[0] = quote
            p += 1
            out.append(contentsOf: UnsafeBufferPointer(start: buf.baseAddress!, count: p - buf.baseAddress!))
        }
    }
}
