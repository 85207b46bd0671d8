import MachineLearning
import XCTest

final class ClassifierTests: XCTestCase {
    /// Answers a fixed probability table, whatever the records.
    struct FixedAnswers: ProbabilisticClassifier {
        let answers: Matrix
        var classCount: Int { answers.columns }
        func probabilities(_ x: Matrix) -> Matrix { answers }
    }

    func testEveryClassifierPredictsItsMostProbableClassAndScoresItsAccuracy() {
        let model: any ProbabilisticClassifier = FixedAnswers(answers: Matrix(rows: 3, columns: 3, values: [0.2, 0.5, 0.3,
                                                                                                              0.4, 0.4, 0.2,
                                                                                                              0.1, 0.1, 0.8]))
        let data = Dataset(features: Matrix(rows: 3, columns: 1, values: [0, 0, 0]), labels: [1, 1, 2], classCount: 3)
        XCTAssertEqual(model.predict(data.features), [1, 0, 2], "ties go to the first class")
        XCTAssertEqual(model.accuracy(on: data), 2.0 / 3.0, accuracy: 1e-12)
        XCTAssertEqual(model.accuracy(on: Dataset(features: Matrix(rows: 0, columns: 1, values: []), labels: [], classCount: 3)), 0)
    }
}
