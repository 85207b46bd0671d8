import Foundation
import MachineLearning
import XCTest

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
let shippedData = repositoryRoot.appendingPathComponent("Assets/data")
let sharedData = repositoryRoot.deletingLastPathComponent().appendingPathComponent("shared/data")

extension XCTestCase {
    /// A fresh path in the temporary folder, removed when the test ends.
    func temporaryURL(_ name: String) -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("\(UUID().uuidString)-\(name)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// A temporary file holding `contents`, removed when the test ends.
    func temporaryFile(_ name: String, _ contents: String) throws -> String {
        let url = temporaryURL(name)
        try contents.write(to: url, atomically: true, encoding: .utf8)
        return url.path
    }
}

final class DataLoadingTests: XCTestCase {
    func testAdultHasTheDocumentedRowCountsAfterDroppingMissingValues() throws {
        let adult = try AdultDataset.load(trainPath: shippedData.appendingPathComponent("adult.data.gz").path,
                                          testPath: shippedData.appendingPathComponent("adult.test.gz").path)
        XCTAssertEqual(adult.train.count + adult.droppedTrainRows, 32_561)
        XCTAssertEqual(adult.test.count + adult.droppedTestRows, 16_281)
        XCTAssertEqual(adult.train.count + adult.test.count, 45_222)
        XCTAssertEqual(adult.train.featureCount, adult.featureNames.count)
        XCTAssertTrue(adult.featureNames.contains("workclass=Private"))
        // Standardised: the training mean of age is 0.
        let ages = (0..<adult.train.count).map { Double(adult.train.features[$0, 0]) }
        XCTAssertEqual(ages.reduce(0, +) / Double(ages.count), 0, accuracy: 1e-4)
        XCTAssertEqual(Double(adult.train.labels.filter { $0 == 1 }.count) / Double(adult.train.count), 0.249, accuracy: 0.01)
    }

    func testAMalformedAdultRowIsReportedAtItsLine() throws {
        let good = "39, State-gov, 77516, Bachelors, 13, Never-married, Adm-clerical, Not-in-family, White, Male, 2174, 0, 40, United-States, <=50K"
        let train = try temporaryFile("adult.data", "\(good)\n\(good)\n39, State-gov, 77516\n")
        XCTAssertThrowsError(try AdultDataset.load(trainPath: train, testPath: train)) {
            XCTAssertEqual("\($0)", "\(train):3: expected 15 comma-separated fields, found 3")
        }
        let badNumber = try temporaryFile("adult.data", "\(good)\n" + good.replacingOccurrences(of: "77516", with: "lots"))
        XCTAssertThrowsError(try AdultDataset.load(trainPath: badNumber, testPath: badNumber)) {
            XCTAssertEqual("\($0)", "\(badNumber):2: fnlwgt (field 3) is not a number: 'lots'")
        }
    }

    func testDigitsAndTheMNISTSubsetHaveTheirDocumentedCounts() throws {
        let digits = try LabelledCSV.digits(path: shippedData.appendingPathComponent("digits.csv.gz").path)
        XCTAssertEqual(digits.count, 1_797)
        XCTAssertEqual(digits.featureCount, 64)
        XCTAssertEqual(digits.features.values.max(), 1)
        let mnist = try LabelledCSV.mnist(path: shippedData.appendingPathComponent("mnist_5k.csv.gz").path)
        XCTAssertEqual(mnist.count, 5_000)
        XCTAssertEqual((0..<10).map { d in mnist.labels.filter { $0 == d }.count }, Array(repeating: 500, count: 10))
    }

    func testACSVRowWithABadLabelOrNumberNamesTheLine() throws {
        let path = try temporaryFile("digits.csv", "1,2,3\n4,x,5\n")
        XCTAssertThrowsError(try LabelledCSV.load(path: path, featureCount: 2, classCount: 10)) {
            XCTAssertEqual("\($0)", "\(path):2: field 2 is not a number: 'x'")
        }
        let label = try temporaryFile("digits.csv", "1,2,3\n4,5,12\n")
        XCTAssertThrowsError(try LabelledCSV.load(path: label, featureCount: 2, classCount: 10)) {
            XCTAssertEqual("\($0)", "\(label):2: the label '12' is not a class in 0...9")
        }
    }

    func testAMissingFileSaysSo() {
        XCTAssertThrowsError(try LocationDataset.load(path: "/nowhere/bangkok")) {
            XCTAssertTrue("\($0)".hasPrefix("/nowhere/bangkok: no such file. The Location data"), "\($0)")
        }
    }

    func testLocationWhenPresentHas5010RecordsIn30Classes() throws {
        let path = sharedData.appendingPathComponent("location/bangkok").path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: path), "the Location data is not on this machine")
        let location = try LocationDataset.load(path: path)
        XCTAssertEqual(location.count, 5_010)
        XCTAssertEqual(location.featureCount, 446)
        XCTAssertEqual(Set(location.labels).count, 30)
    }

    func testMNISTIDXWhenPresentHasTheOfficialCounts() throws {
        let images = sharedData.appendingPathComponent("mnist/t10k-images.idx3-ubyte.gz").path
        try XCTSkipUnless(FileManager.default.fileExists(atPath: images), "the MNIST IDX files are not on this machine")
        let test = try MNISTIDX.load(images: images, labels: sharedData.appendingPathComponent("mnist/t10k-labels.idx1-ubyte.gz").path)
        XCTAssertEqual(test.count, 10_000)
        XCTAssertEqual(test.featureCount, 784)
    }

    func testIDXFilesAreCheckedForTheirMagicNumberAndLength() throws {
        var images = Data([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2])
        images.append(contentsOf: [0, 255, 128, 0, 255, 255, 0, 0])
        let labels = Data([0, 0, 8, 1, 0, 0, 0, 2, 7, 3])
        let imageURL = temporaryURL("images"), labelURL = temporaryURL("labels")
        try images.write(to: imageURL); try labels.write(to: labelURL)
        let data = try MNISTIDX.load(images: imageURL.path, labels: labelURL.path)
        XCTAssertEqual(data.labels, [7, 3])
        XCTAssertEqual(data.features.values, [0, 1, Float(128) / 255, 0, 1, 1, 0, 0])
        try images.prefix(20).write(to: imageURL)
        XCTAssertThrowsError(try MNISTIDX.load(images: imageURL.path, labels: labelURL.path)) {
            XCTAssertEqual("\($0)", "\(imageURL.path): truncated: 2 images of 2x2 need 24 bytes, found 20")
        }
        XCTAssertThrowsError(try MNISTIDX.load(images: labelURL.path, labels: labelURL.path)) {
            XCTAssertEqual("\($0)", "\(labelURL.path): not an IDX image file: magic number 2049, expected 2051")
        }
    }

    func testCIFARBinaryRecordsAreLabelThenPlanes() throws {
        var bytes = Data()
        for (label, value) in [(3, UInt8(255)), (9, UInt8(0))] {
            bytes.append(UInt8(label))
            bytes.append(contentsOf: [UInt8](repeating: value, count: 3072))
        }
        let url = temporaryURL("cifar.bin")
        try bytes.write(to: url)
        let cifar = try CIFARBinary.load(path: url.path, variant: .cifar10)
        XCTAssertEqual(cifar.labels, [3, 9])
        XCTAssertEqual(cifar.features[0, 3071], 1)
        XCTAssertEqual(cifar.features[1, 0], 0)
        XCTAssertThrowsError(try CIFARBinary.load(path: url.path, variant: .cifar100)) {
            XCTAssertTrue("\($0)".contains("is not a whole number of 3074-byte records"), "\($0)")
        }
    }

    func testCSVFieldsOfDigitsReadAsFloatWouldReadThemAndEverythingElseGoesToFloat() throws {
        let path = try temporaryFile("fields.csv", "a,b,c,d,label\n255,0007, 12 ,1234567,1\n-3,1e3,0.5,999999,0\n")
        let data = try LabelledCSV.load(path: path, featureCount: 4, classCount: 2)
        XCTAssertEqual(data.features.values, [255, 7, 12, 1_234_567, -3, 1_000, 0.5, 999_999])
        XCTAssertEqual(data.labels, [1, 0])
        let bad = try temporaryFile("bad.csv", "1,2,,4,0\n")
        XCTAssertThrowsError(try LabelledCSV.load(path: bad, featureCount: 4, classCount: 2)) { error in
            XCTAssertTrue("\(error)".contains("field 3 is not a number"), "\(error)")
        }
    }
}
