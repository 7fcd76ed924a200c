#pragma once

#include <QWidget>

class QCommandLinkButton;
class QLabel;
class QListWidget;

namespace orderlens::ui {

// The first thing a user sees: start an experiment, open a run, or watch the demo train.
class WelcomePage : public QWidget {
    Q_OBJECT
public:
    explicit WelcomePage(QWidget* parent = nullptr);
    void setRecentRuns(const QStringList& paths);

    // What the demo does and roughly how long it takes: shown under its button and in the
    // confirmation of Training > Run the demo.
    static QString demoPlan();

    QCommandLinkButton* newButton() const { return new_; }
    QCommandLinkButton* openButton() const { return open_; }
    QCommandLinkButton* demoButton() const { return demo_; }

signals:
    void newExperimentRequested();
    void openRunRequested();
    void demoRequested();
    void recentRunRequested(const QString& path);

private:
    QCommandLinkButton* new_;
    QCommandLinkButton* open_;
    QCommandLinkButton* demo_;
    QLabel* demoPlan_;
    QListWidget* recent_;
};

}  // namespace orderlens::ui
