#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>

#include "heartwave/core/error.hpp"
#include "heartwave/data/split.hpp"

using namespace heartwave;

TEST(Split, StratifiedProportionsPerClassAndDeterminism) {
  std::vector<int> labels;
  for (int c = 0; c < 5; ++c)
    for (int i = 0; i < (c + 1) * 1000; ++i) labels.push_back(c);
  const auto s = stratified_split(labels, 0.8, 0.1, 42);
  std::map<int, std::array<int, 3>> count;
  for (std::size_t i = 0; i < labels.size(); ++i) ++count[labels[i]][static_cast<std::size_t>(s[i])];
  for (int c = 0; c < 5; ++c) {
    const int n = (c + 1) * 1000;
    EXPECT_EQ(count[c][0], n * 8 / 10);
    EXPECT_EQ(count[c][1], n / 10);
    EXPECT_EQ(count[c][2], n / 10);
  }
  EXPECT_EQ(stratified_split(labels, 0.8, 0.1, 42), s);
  EXPECT_NE(stratified_split(labels, 0.8, 0.1, 43), s);
  EXPECT_THROW(stratified_split(labels, 0.9, 0.2, 1), InvalidArgument);
}

TEST(Split, InterPatientListsAreDisjointAndExcludePaced) {
  std::set<int> ds1(ds1_records().begin(), ds1_records().end()), ds2(ds2_records().begin(), ds2_records().end());
  EXPECT_EQ(ds1.size(), 22u);
  EXPECT_EQ(ds2.size(), 22u);
  for (int r : ds1) EXPECT_FALSE(ds2.count(r)) << r;
  for (int p : paced_records()) {
    EXPECT_FALSE(ds1.count(p));
    EXPECT_FALSE(ds2.count(p));
  }
  EXPECT_EQ(parse_protocol("inter-patient"), Protocol::inter_patient);
  EXPECT_THROW(parse_protocol("random"), InvalidArgument);
}

TEST(Split, RecordFoldsGroupRecords) {
  std::vector<int> records;
  for (int r : ds1_records())
    for (int i = 0; i < 100 + r % 37; ++i) records.push_back(r);
  const auto folds = record_folds(records, 5, 7);
  std::map<int, std::set<int>> folds_of_record;
  std::array<int, 5> rows{};
  for (std::size_t i = 0; i < records.size(); ++i) {
    folds_of_record[records[i]].insert(folds[i]);
    ++rows[static_cast<std::size_t>(folds[i])];
  }
  for (auto& [r, f] : folds_of_record) EXPECT_EQ(f.size(), 1u) << "record " << r << " split across folds";
  for (int n : rows) EXPECT_GT(n, 0);
  EXPECT_EQ(record_folds(records, 5, 7), folds);
  EXPECT_THROW(record_folds(records, 1, 7), InvalidArgument);
  EXPECT_THROW(record_folds(std::vector<int>{1, 2}, 3, 7), InvalidArgument);
}

TEST(Split, RecordFoldsStratifyClasses) {
  // Ten records of 100 rows of class 0; records 3 and 8 also hold all 60 rows
  // of class 2, records 1, 5 and 9 all 30 of class 1.
  std::vector<int> records, labels;
  for (int r = 0; r < 10; ++r) {
    for (int i = 0; i < 100; ++i) records.push_back(r), labels.push_back(0);
    if (r == 3 || r == 8)
      for (int i = 0; i < 30; ++i) records.push_back(r), labels.push_back(2);
    if (r == 1 || r == 5 || r == 9)
      for (int i = 0; i < 10; ++i) records.push_back(r), labels.push_back(1);
  }
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const auto folds = record_folds(records, 5, seed, labels);
    std::map<int, int> fold_of;
    for (std::size_t i = 0; i < records.size(); ++i) fold_of[records[i]] = folds[i];
    EXPECT_NE(fold_of[3], fold_of[8]) << "the two class-2 records share a fold (seed " << seed << ")";
    std::set<int> class1{fold_of[1], fold_of[5], fold_of[9]};
    EXPECT_EQ(class1.size(), 3u) << "class-1 records share a fold (seed " << seed << ")";
    std::array<int, 5> per_fold{};
    for (auto& [r, f] : fold_of) ++per_fold[static_cast<std::size_t>(f)];
    for (int n : per_fold) EXPECT_EQ(n, 2);  // ten equal-sized records: two per fold
  }
  EXPECT_THROW(record_folds(records, 5, 1, std::vector<int>{0, 1}), InvalidArgument);
}
