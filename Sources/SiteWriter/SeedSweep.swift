import Foundation
import LessonCore

/// A build over several seeds (`lessons build --seeds 2017,1-9`): every seed's run, so that the
/// sweep's pages can show each observation's verdict per seed and its numbers as mean with min–max.
///
/// The first run is the primary one: the sweep's lesson pages are its pages. Every other seed has a
/// whole site of its own in `seeds/<seed>/`.
public struct SeedSweep: Sendable {
    public struct Run: Sendable {
        public var seed: String
        /// The run's site relative to the sweep's: "" for the primary seed, "seeds/1/" for the others.
        public var folder: String
        public var lessons: [ExecutedLesson]

        public init(seed: String, folder: String, lessons: [ExecutedLesson]) {
            self.seed = seed
            self.folder = folder
            self.lessons = lessons
        }

        /// Whether a lesson's results are this seed's own, made by this build's settings: results a
        /// build of other lessons kept from an earlier build (other settings, text or code) or made
        /// with another seed are not, and are left out of the sweep's counts.
        func isOwn(_ lesson: ExecutedLesson) -> Bool {
            lesson.manifest.keptNote == nil && (lesson.manifest.seed.map { $0 == seed } ?? true)
        }

        /// The observations this seed's own results checked, by id.
        var observations: [String: Observation] {
            var found: [String: Observation] = [:]
            for lesson in lessons where isOwn(lesson) { for o in lesson.manifest.observations { found[o.id] = o } }
            return found
        }
    }

    public var runs: [Run]
    /// Charts drawn over all seeds (the mean as a line, min–max as a band), by observation id, with
    /// files relative to the sweep's site.
    public var figures: [String: [CellOutput.Figure]]

    public init(runs: [Run], figures: [String: [CellOutput.Figure]] = [:]) {
        self.runs = runs
        self.figures = figures
    }

    /// The training kernels the seeds' lessons ran with, when they were not all the same (a cluster
    /// of mixed machines): numbers may then differ in their last digits from a run elsewhere.
    public var mixedKernels: [String]? {
        let kernels = Set(runs.flatMap { run in run.lessons.filter(run.isOwn).compactMap(\.manifest.kernels) })
        return kernels.count > 1 ? kernels.sorted() : nil
    }

    /// The folder of a seed's own site inside the sweep's: "" for the primary seed (the first),
    /// "seeds/<seed>/" for the others.
    public static func folder(ofSeed seed: String, primary: Bool) -> String { primary ? "" : "seeds/\(seed)/" }
    /// From a seed's own site back to the sweep's.
    static let backToSweep = "../../"

    /// What the line atop a seed's own site says: which seed, of which sweep.
    public struct Banner: Sendable {
        public var seed: String
        public var seeds: [String]
        public init(seed: String, seeds: [String]) { self.seed = seed; self.seeds = seeds }
    }

    /// How often an observation held, in part, or not, over the sweep's seeds.
    public struct Tally: Equatable, Sendable {
        public var held = 0, heldInPart = 0, didNotHold = 0
        /// Seeds in which the lesson that checks it failed before it could.
        public var lessonFailed = 0
        /// Seeds whose results for that lesson are not this build's (kept from an earlier build).
        public var notThisBuild = 0
        /// Seeds in which nothing checked it.
        public var notChecked = 0
        public var seeds: Int { held + heldInPart + didNotHold + lessonFailed + notThisBuild + notChecked }
        /// The seeds that gave a verdict.
        public var checked: Int { held + heldInPart + didNotHold }

        /// "held in 9 of 10 seeds; held in part in 1", "not checked in any of the 2 seeds".
        public var text: String {
            if checked == 0 && lessonFailed == 0 && notThisBuild == 0 { return "not checked in any of the \(counted(seeds, "seed"))" }
            var text = "held in \(held) of \(counted(seeds, "seed"))"
            var rest: [String] = []
            if heldInPart > 0 { rest.append("held in part in \(heldInPart)") }
            if didNotHold > 0 { rest.append("did not hold in \(didNotHold)") }
            if lessonFailed > 0 { rest.append("its lesson failed in \(lessonFailed)") }
            if notThisBuild > 0 { rest.append("kept from an earlier build in \(notThisBuild), not counted") }
            if notChecked > 0 { rest.append("not checked in \(notChecked)") }
            if !rest.isEmpty { text += "; " + rest.joined(separator: ", ") }
            return text
        }
    }

    public func tally(_ id: String) -> Tally {
        var tally = Tally()
        // The lesson that checks it, as any seed's run recorded.
        let checker = runs.lazy.flatMap { $0.lessons.flatMap(\.manifest.observations) }.first { $0.id == id }?.lessonID
        for run in runs {
            if let verdict = run.observations[id]?.verdict {
                switch verdict {
                case .held: tally.held += 1
                case .heldInPart: tally.heldInPart += 1
                case .didNotHold: tally.didNotHold += 1
                }
            } else if let lesson = run.lessons.first(where: { $0.lesson.id == checker }) {
                if !run.isOwn(lesson) { tally.notThisBuild += 1 }
                else if lesson.manifest.status == .failed { tally.lessonFailed += 1 }
                else { tally.notChecked += 1 }
            } else {
                tally.notChecked += 1
            }
        }
        return tally
    }

    /// The observation's measured text over the seeds that checked it, each number as its mean with
    /// min–max; nil when no seed checked it or when the texts differ in more than their numbers.
    public func measuredSpread(_ id: String) -> MeasuredSpread? {
        MeasuredSpread(runs.compactMap { $0.observations[id]?.measured })
    }
}

/// Texts that differ only in their numbers ("precision 0.863, recall 0.980" in every seed), summarised
/// as one text whose numbers are means with their range: "precision 0.861 (0.850–0.870), recall …".
/// A number that is the same in every text (a class count, a size) stays as it is.
public struct MeasuredSpread: Equatable, Sendable {
    public struct Spread: Equatable, Sendable, Encodable {
        public var mean: Double
        public var min: Double
        public var max: Double
        /// How many texts (seeds) the number came from.
        public var count: Int
    }

    /// The summary text.
    public var text: String
    /// Every number's spread, in the order the numbers appear in the text.
    public var numbers: [Spread]

    /// Nil for no texts, or for texts whose words differ (the numbers cannot be paired up).
    public init?(_ texts: [String]) {
        guard !texts.isEmpty else { return nil }
        let parsed = texts.map { Self.split(Self.signedChanges($0)) }
        guard parsed.allSatisfy({ $0.words == parsed[0].words }) else { return nil }
        var text = ""
        var numbers: [Spread] = []
        let change = "a drop of "
        for (i, word) in parsed[0].words.enumerated() {
            guard i < parsed[0].numbers.count else { text += word; continue }
            let column = parsed.map { $0.numbers[i] }
            let values = column.map(\.value)
            let low = values.min()!, high = values.max()!
            let mean = values.reduce(0, +) / Double(values.count)
            numbers.append(Spread(mean: mean, min: low, max: high, count: values.count))
            let decimals = column.map(\.decimals).max()!
            // A change that was a gain in every seed reads as a gain again; none at all as no change.
            if word.hasSuffix(change), high <= 0 {
                let before = String(word.dropLast(change.count))
                if low == 0 && high == 0 { text += before + "no change"; continue }
                text += before + "a gain of " + (low == high ? Self.format(-low, decimals)
                    : "\(Self.format(-mean, decimals == 0 ? 1 : decimals)) (\(Self.format(-high, decimals))–\(Self.format(-low, decimals)))")
                continue
            }
            text += word
            if low == high {
                text += column[0].text
            } else {
                text += "\(Self.format(mean, decimals == 0 ? 1 : decimals)) (\(Self.format(low, decimals))–\(Self.format(high, decimals)))"
            }
        }
        self.text = text
        self.numbers = numbers
    }

    struct Number { var text: String; var value: Double; var decimals: Int }

    /// `decimals` places, a true minus sign for a negative number (so a range reads "−0.015–0.010",
    /// never "-0.015–-0.010"), and never "−0.000".
    static func format(_ v: Double, _ decimals: Int) -> String {
        let s = String(format: "%.\(decimals)f", v)
        guard s.hasPrefix("-") else { return s }
        return Double(s) == 0 ? String(s.dropFirst()) : "−" + s.dropFirst()
    }

    /// `dropText`'s words made comparable: "a gain of 0.015" is "a drop of -0.015" and "no change"
    /// "a drop of 0.000", so seeds whose change went either way still pair up.
    static func signedChanges(_ text: String) -> String {
        var text = text.replacingOccurrences(of: "no change", with: "a drop of 0.000")
        while let range = text.range(of: "a gain of ") {
            let after = text[range.upperBound...]
            guard let first = after.first, first.isNumber else { break }
            text.replaceSubrange(range, with: "a drop of -")
        }
        return text
    }

    /// The text cut at its numbers: `words` has one more element than `numbers` (the text before
    /// each number, then what follows the last). A number is digits with an optional decimal part and
    /// sign, not glued to a letter before it (so O8, L2 and 1e-2's 1 are words, not numbers).
    static func split(_ text: String) -> (words: [String], numbers: [Number]) {
        let chars = Array(text)
        var words: [String] = []
        var numbers: [Number] = []
        var word = ""
        var i = 0
        func isWordChar(_ c: Character) -> Bool { c.isLetter || c.isNumber || c == "_" || c == "." }
        while i < chars.count {
            let c = chars[i]
            let previous: Character? = i > 0 ? chars[i - 1] : nil
            // A digit after a hyphen that follows a word (Purchase-100, 1e-6) is part of a name.
            let hyphenated = previous == "-" && i > 1 && isWordChar(chars[i - 2])
            let free = (previous.map { !isWordChar($0) } ?? true) && !hyphenated
            let signed = (c == "-" || c == "−") && i + 1 < chars.count && chars[i + 1].isASCII && chars[i + 1].isNumber
                && (previous.map { $0 == " " || $0 == "(" } ?? true)
            guard free, signed || (c.isASCII && c.isNumber) else {
                word.append(c)
                i += 1
                continue
            }
            var j = signed ? i + 1 : i
            while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1 }
            // Thousands separators: 12,000 is one number (a comma then exactly three digits).
            func digit(_ k: Int) -> Bool { k < chars.count && chars[k].isASCII && chars[k].isNumber }
            while j < chars.count, chars[j] == ",", digit(j + 1), digit(j + 2), digit(j + 3), !digit(j + 4) { j += 4 }
            var decimals = 0
            if j + 1 < chars.count, chars[j] == ".", chars[j + 1].isASCII, chars[j + 1].isNumber {
                j += 1
                while j < chars.count, chars[j].isASCII, chars[j].isNumber { j += 1; decimals += 1 }
            }
            // Glued to a letter after it (2x, 10k, 3rd): part of a word, like a name.
            if j < chars.count, chars[j].isLetter {
                word += String(chars[i..<j])
                i = j
                continue
            }
            let literal = String(chars[i..<j])
            let value = Double(literal.replacingOccurrences(of: "−", with: "-").replacingOccurrences(of: ",", with: "")) ?? 0
            words.append(word)
            word = ""
            numbers.append(Number(text: literal, value: value, decimals: decimals))
            i = j
        }
        words.append(word)
        return (words, numbers)
    }
}
