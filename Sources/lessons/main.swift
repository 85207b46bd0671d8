// The course's executable: the command line plus every lesson, tangled into Swift at build time by
// the Tangle plugin (`tangledLessons` is generated from `Lessons/*.md`).
import CourseCLI

LessonsCommand.run(course: Course(
    title: "Membership Inference Lessons",
    summary: "An executed, annotated walkthrough of Shokri, Stronati, Song and Shmatikov, “Membership Inference Attacks Against Machine Learning Models” (IEEE S&P 2017): every number on these pages was computed by this run.",
    lessons: tangledLessons, folder: tangledCourseFolder))
