import CourseCLI

LessonsCommand.run(course: Course(title: "Fixture course", summary: "Lessons that pass, trap, throw and escape.",
                                  lessons: tangledLessons, folder: tangledCourseFolder))
