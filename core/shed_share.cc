#include "core/shed_share.h"

#include <algorithm>

namespace tollgate::core {

namespace {
// How much one sample moves the smoothed delay: one late timer is one batch of handlers, noise
// on its own; a few in a row are a queue.
constexpr double kSmoothing = 0.25;
// Integral gain, per second of relative error: an excess held at the target's size (a delay
// twice the target, a loop always busy against a target of 0.5) raises the share by 0.02 a
// millisecond, so twice the capacity (a share of ~0.55) is met within ~30 ms.
constexpr double kIntegralPerSecond = 20.0;
// Proportional gain: reacts to an excess before the integral has caught up, and lets go as soon
// as it is gone.
constexpr double kProportional = 0.05;
// A single stall (a page-fault burst, a descheduled thread) many times the target must not
// swing the share to "refuse everything" on its own.
constexpr double kMaxError = 4.0;

double seconds(ShedShare::Duration d) { return std::chrono::duration<double>(d).count(); }

bool holds_busy(double target) { return target > 0 && target < 1; }
}  // namespace

ShedShare::ShedShare(Targets targets, Duration period)
    : targets_(targets), period_duration_(period), period_(seconds(period)) {}

void ShedShare::sample_busy(double fraction) {
  if (!holds_busy(targets_.busy)) return;
  busy_error_ = std::clamp((fraction - targets_.busy) / (1 - targets_.busy), -1.0, kMaxError);
}

double ShedShare::error() const {
  double error = -1;
  if (targets_.delay.count() > 0) {
    const double target = seconds(targets_.delay);
    error = std::clamp((delay_ - target) / target, -1.0, kMaxError);
  }
  if (holds_busy(targets_.busy)) error = std::max(error, busy_error_);
  return error;
}

void ShedShare::sample_delay(Duration delay) { sample_delay(delay, period_duration_ + delay); }

void ShedShare::sample_delay(Duration delay, Duration since_previous) {
  // A step weighs the time since the previous sample: the timer runs on the loop it measures,
  // so an overloaded loop samples late (every 5-15 ms at the onset of twice the capacity,
  // bench/overload), and steps that each weighed one period took ~70 ms to reach the share
  // while every request waited (and with work queued first-in first-out, never reach it: the
  // later the samples, the slower the share grows). The time weighed is the period plus the
  // smaller of this delay and the one smoothed before it: a lasting delay weighs its length,
  // one long stall (or the quiet samples after it) about a period. A sample taken sooner (a
  // request that found the timer overdue, http/loop_load.cc) weighs only the time since the
  // previous one.
  const double step = std::min(seconds(since_previous), period_ + std::min(last_delay_, seconds(delay)));
  last_delay_ = seconds(delay);
  delay_ += (seconds(delay) - delay_) * kSmoothing;
  const double e = error();
  // The integral is clamped on its own, so that a long idle spell cannot store up admissions
  // (or a long overload refusals) that the loop would then have to work off.
  integral_ = std::clamp(integral_ + kIntegralPerSecond * step * e, 0.0, 1.0);
  share_ = std::clamp(integral_ + kProportional * e, 0.0, 1.0);
}

}  // namespace tollgate::core
