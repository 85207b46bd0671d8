import Foundation
import LessonCore

/// The paper's observations O1–O17, in the deck's words.
public enum PaperObservations {
    public static let claims: [String: String] = [
        "O1": "The bigger the target model's training set, the lower the attack's precision.",
        "O2": "The more classes, the more the model leaks about its training data.",
        "O3": "The Google-like service leaks more than the Amazon-like service or the local neural network.",
        "O4": "Less overfitting means less leakage.",
        "O5": "Overfitting is not the only cause of leakage: the model's type and structure matter too.",
        "O6": "The noisier the shadow data, the lower the attack's performance.",
        "O7": "Even with 20% noise in the shadow data, the attack beats the 0.5 baseline.",
        "O8": "Marginal-based synthetic shadow data costs a lot of precision.",
        "O9": "Model-based synthetic shadow data comes close to real data, except for classes with few training examples.",
        "O10": "Low prediction uncertainty goes with high target accuracy.",
        "O11": "More classes mean higher prediction uncertainty and lower accuracy.",
        "O12": "With more classes, the uncertainty distributions of members and non-members differ more.",
        "O13": "Attack precision drops a lot only with label-only output or strong regularization.",
        "O14": "Attack accuracy drops a lot only with temperature 20 or strong regularization.",
        "O15": "The right amount of regularization can even raise the target's test accuracy.",
        "O16": "Too much regularization hurts the target's accuracy.",
        "O17": "Even with mitigations, the attack beats the 0.5 baseline.",
    ]
}

/// Records that this cell checked one of the paper's observations. `verdict` must be computed from the
/// measured numbers by `rule` (the page shows both); the cell's outputs, and those of `evidence`
/// cells, appear on the observation's page.
public func observe(_ id: String, paper: String, measured: String, rule: String,
                    verdict: Observation.Verdict, why: String, evidence: [String] = []) {
    guard let session = LessonSession.current else {
        fatalError("observe() can only be called while `lessons` runs a lesson")
    }
    guard let claim = PaperObservations.claims[id] else {
        fatalError("observe(): no observation \(id); the paper's are O1–O17")
    }
    session.addObservation(Observation(id: id, claim: claim, paper: paper, measured: measured, rule: rule,
                                       verdict: verdict, explanation: why, lessonID: session.lesson.id,
                                       cellLabel: session.currentLabel,
                                       evidenceCells: evidenceCells(observedIn: session.currentLabel, evidence)))
}

/// The cell that observed, then the other evidence cells, each once.
func evidenceCells(observedIn cell: String, _ evidence: [String]) -> [String] {
    var cells = [cell]
    for label in evidence where !cells.contains(label) { cells.append(label) }
    return cells
}

/// The verdict of a rule with parts: held if all parts hold, held in part if some do, else did not hold.
/// A verdict as lessons name it: `.held`, `.heldInPart` or `.didNotHold`.
public typealias Verdict = Observation.Verdict

public func verdict(_ parts: [Bool]) -> Observation.Verdict {
    let held = parts.filter { $0 }.count
    return held == parts.count ? .held : held > 0 ? .heldInPart : .didNotHold
}

/// Formats a number for observation text: three decimals, and never "-0.000" (a value that rounds
/// to zero is zero, whatever its sign).
public func f3(_ v: Double) -> String {
    let text = String(format: "%.3f", v)
    return text == "-0.000" ? "0.000" : text
}

/// How much a measure fell, in words: "a drop of 0.011", "a gain of 0.015" when it rose, "no change"
/// when it moved by less than the third decimal shows.
public func dropText(_ drop: Double) -> String {
    if abs(drop) < 0.0005 { return "no change" }
    return drop > 0 ? "a drop of \(f3(drop))" : "a gain of \(f3(-drop))"
}
