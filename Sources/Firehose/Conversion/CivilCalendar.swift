/// The proleptic Gregorian calendar's day numbers, for other modules' date parsing (SigV4's `X-Amz-Date`), so that
/// one implementation serves them all.
public enum CivilCalendar {
    /// Days from 1970-01-01 of `year-month-day`.
    public static func days(year: Int, month: Int, day: Int) -> Int {
        Coercion.daysFromCivil(year, month, day)
    }
}
