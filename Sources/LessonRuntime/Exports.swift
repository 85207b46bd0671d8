// Lesson cells import only LessonRuntime (the tangler adds it); the libraries they use come with it.
@_exported import Charts
@_exported import Diagrams
@_exported import MachineLearning
@_exported import MembershipInference
