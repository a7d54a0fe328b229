//! Finding the files that declare applications under a scan root.
