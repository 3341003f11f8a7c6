// --only PATTERN: which tasks a run is restricted to.
//
// A pattern is a glob (* and ?) over a task's scope forms: "app", "app@version" and
// "app@version/os/arch" (with "app/image" in place of "app" for the extra images of multi-image
// apps). A task is selected when the pattern matches one of its forms; app-scoped tasks (discover)
// when the part before '@' matches the app. The executor also runs every ancestor of a selected
// task and marks the rest "unneeded: not selected by --only". Examples: "hello" (the whole app),
// "hello@1.2.*", "*@1.2.0/linux/arm64" (one leg of every app).
#pragma once

#include <string>

#include "graph/task.h"

namespace mg {

bool SelectedBy(const std::string& pattern, const Task& task);

}  // namespace mg
