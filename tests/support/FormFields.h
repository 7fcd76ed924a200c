#pragma once

// The setup form's fields by object name (the configuration key each one edits), for tests and
// benchmarks that drive the form like a user.

#include <QWidget>

namespace orderlens::test {

template <typename W>
W* field(QWidget* form, const char* name)
{
    W* w = form->findChild<W*>(name);
    if (!w)
        qFatal("no field %s", name);
    return w;
}

template <typename W>
W* field(QWidget& form, const char* name)
{
    return field<W>(&form, name);
}

}  // namespace orderlens::test
