import Foundation
import MachineLearning

/// The real datasets of the course, loaded the way lessons need them: the files that ship in
/// `Assets/data/` and the ones a user supplies with `lessons build --data-dir`.
public enum CourseData {
    /// Adult (UCI census income): the training and test files together, 45,222 complete records, 2 classes.
    public static func adult() throws -> Dataset {
        let adult = try AdultDataset.load(trainPath: try assetPath("data/adult.data.gz"), testPath: try assetPath("data/adult.test.gz"))
        return adult.train.concatenated(with: adult.test)
    }

    /// MNIST for `profile`: all 70,000 images in the paper profile when the user supplied MNIST's IDX
    /// files (`mnist/*-ubyte.gz` in the data folder), else the 5,000-image subset that ships with the
    /// course; with a name for tables and how many members a target gets.
    public static func mnist(profile: RunProfile) throws -> (data: Dataset, name: String, members: Int) {
        let files = ["train-images.idx3-ubyte.gz", "train-labels.idx1-ubyte.gz", "t10k-images.idx3-ubyte.gz", "t10k-labels.idx1-ubyte.gz"]
            .compactMap { suppliedDataFile("mnist/" + $0) }
        if profile == .paper, files.count == 4 {
            let train = try MNISTIDX.load(images: files[0], labels: files[1]), test = try MNISTIDX.load(images: files[2], labels: files[3])
            return (train.concatenated(with: test), "MNIST (real, all 70,000 images)", 10_000)
        }
        return (try LabelledCSV.mnist(path: try assetPath("data/mnist_5k.csv.gz")), "MNIST (real, 5,000-image subset)",
                profile.pick(smoke: 300, quick: 1_000, paper: 1_000))
    }

    /// The Location dataset (Foursquare check-ins in Bangkok) if the user supplied it
    /// (`location/bangkok` in the data folder, or the file named by `MIL_LOCATION`), with its path.
    public static func location() throws -> (data: Dataset, path: String)? {
        guard let path = suppliedDataFile("location/bangkok") ?? CourseEnvironment.current.location else { return nil }
        return (try LocationDataset.load(path: path), path)
    }
}
