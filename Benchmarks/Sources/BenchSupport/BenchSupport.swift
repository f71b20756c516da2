// Deterministic data shared by the benchmark targets.

/// SplitMix64: small, fast and the same on every platform.
public struct SplitMix64 {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    public mutating func chance(_ p: Double) -> Bool { Double(next() >> 11) / Double(1 << 53) < p }
}

/// Words of event-like data (ids, tags, free text) for generated strings.
public let words = [
    "click", "impression", "tweet", "retweet", "like", "follow", "share", "view", "scroll", "search",
    "home", "profile", "settings", "notifications", "explore", "messages", "bookmarks", "lists", "topics",
    "en-US", "de-DE", "fr-FR", "ja-JP", "pt-BR", "es-MX", "android", "ios", "web", "desktop", "tablet",
    "#swift", "#parquet", "#data", "#rust", "#ai", "#music", "#news", "#sports", "🚀", "café", "naïve",
]
