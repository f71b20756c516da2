// Stand-in for the Parquet module's Array.appendWithPointer, which SnappyEncoder's appending API uses.
extension Array where Element == UInt8 {
    mutating func appendWithPointer(count n: Int, zero: UInt8, _ body: (UnsafeMutablePointer<UInt8>) -> Int) -> Int {
        let old = count
        append(contentsOf: repeatElement(zero, count: n))
        let r = withUnsafeMutableBufferPointer { body($0.baseAddress! + old) }
        removeSubrange((old + r)...)
        return r
    }
}
