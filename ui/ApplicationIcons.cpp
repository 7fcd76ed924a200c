#include "ApplicationIcons.h"

// Q_INIT_RESOURCE must be used outside any namespace; orderlens_ui is a static library, so
// without it the linker would drop the compiled resources.
static void initialiseResources() { Q_INIT_RESOURCE(orderlens); }

namespace orderlens::ui {

namespace {
void ensureResources()
{
    static const bool initialised = [] {
        initialiseResources();
        return true;
    }();
    (void)initialised;
}

constexpr int kRenderedSizes[] = {16, 22, 24, 32, 48, 64, 128, 256};
}  // namespace

QIcon applicationIcon()
{
    ensureResources();
    // The rendered PNGs first: at small sizes they are what the SVG gives, without needing the
    // SVG icon engine; the SVG serves every other size.
    QIcon icon;
    for (int size : kRenderedSizes)
        icon.addFile(QString(":/icons/orderlens-%1.png").arg(size), QSize(size, size));
    icon.addFile(":/icons/orderlens.svg");
    return icon;
}

QIcon actionIcon(const QString& themeName, const QString& fallback)
{
    ensureResources();
    return QIcon::fromTheme(themeName, QIcon(":/icons/" + fallback + ".svg"));
}

}  // namespace orderlens::ui
