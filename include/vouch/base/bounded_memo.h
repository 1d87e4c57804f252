// A memo of results that are costly to compute and cheap to lose: a map that holds at most
// `capacity` entries and forgets the oldest inserted first. What it remembers must stay true
// for as long as it is kept (e.g. a verification of immutable bytes), since nothing expires
// it but newer entries.
//
// Thread-safety: thread-safe; values are copied out (use a shared_ptr for large ones).
#ifndef VOUCH_BASE_BOUNDED_MEMO_H_
#define VOUCH_BASE_BOUNDED_MEMO_H_

#include <cstddef>
#include <deque>
#include <map>
#include <optional>
#include <utility>

#include "vouch/base/mutex.h"

namespace vouch {

template <typename K, typename V>
class BoundedMemo {
 public:
  explicit BoundedMemo(size_t capacity) : capacity_(capacity) {}
  BoundedMemo(const BoundedMemo&) = delete;
  BoundedMemo& operator=(const BoundedMemo&) = delete;

  // Remembers `value` for `key`; a key already remembered keeps its value and its place.
  // Nothing is remembered with capacity 0.
  void Put(const K& key, V value) VOUCH_EXCLUDES(mu_) {
    if (capacity_ == 0) return;
    MutexLock lock(&mu_);
    if (!values_.emplace(key, std::move(value)).second) return;
    order_.push_back(key);
    if (order_.size() > capacity_) {
      values_.erase(order_.front());
      order_.pop_front();
    }
  }

  std::optional<V> Get(const K& key) const VOUCH_EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    auto it = values_.find(key);
    if (it == values_.end()) return std::nullopt;
    return it->second;
  }

 private:
  const size_t capacity_;
  mutable Mutex mu_;
  std::map<K, V> values_ VOUCH_GUARDED_BY(mu_);
  std::deque<K> order_ VOUCH_GUARDED_BY(mu_);  // insertion order, oldest first
};

}  // namespace vouch

#endif  // VOUCH_BASE_BOUNDED_MEMO_H_
