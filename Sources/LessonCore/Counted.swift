/// "1 cell", "8 cells": a count with its noun in the right number, for messages and pages.
/// `plural` defaults to the noun with an "s".
public func counted(_ count: Int, _ noun: String, plural: String? = nil) -> String {
    "\(count) \(count == 1 ? noun : plural ?? noun + "s")"
}
