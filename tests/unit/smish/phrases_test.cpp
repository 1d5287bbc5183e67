#include "smish/phrases.h"

#include <gtest/gtest.h>

namespace wardline::smish {
namespace {

// The first match of one phrase in `text`, or "".
std::string find(std::string_view phrase, std::string_view text) {
  PhraseSet set;
  set.add(phrase, 0);
  return set.first_matches(words_of(text), 1)[0];
}

TEST(Words, LowerCaseWordsWithoutApostrophesOrPunctuation) {
  auto words = words_of("I\xe2\x80\x99m in a MEETING. Can't talk\xe2\x80\x94text me");
  std::vector<std::string> texts;
  for (const auto& w : words) texts.push_back(w.text);
  EXPECT_EQ(texts, (std::vector<std::string>{"im", "in", "a", "meeting", "cant", "talk", "text", "me"}));
  EXPECT_FALSE(words[3].after_break);
  EXPECT_TRUE(words[4].after_break);  // "Can't" starts a new sentence
  EXPECT_FALSE(words[6].after_break);  // an em dash is not the end of a sentence
}

TEST(Phrases, SpellingVariantsOfHyphensApostrophesAndCaseMatch) {
  EXPECT_EQ(find("sign-in", "Unusual Sign In detected"), "sign in");
  EXPECT_EQ(find("sign in", "your sign-in was blocked"), "sign in");
  EXPECT_EQ(find("i'm in a meeting", "Im in a meeting rn"), "im in a meeting");
  EXPECT_EQ(find("i'm in a meeting", "I\xe2\x80\x99m in a meeting"), "im in a meeting");
  EXPECT_EQ(find("w-2 form", "your W2 form"), "");  // "w2" is one word, "w-2" two
}

TEST(Phrases, APhraseWordFindsItsPluralAndVerbForms) {
  EXPECT_EQ(find("google play card", "buy 4 Google Play cards of $100"), "google play cards");
  EXPECT_EQ(find("bonus", "holiday bonuses are out"), "bonuses");
  EXPECT_EQ(find("text back ... code", "verify by texting back the G- code"), "texting back the g code");
  EXPECT_EQ(find("award", "UR awarded a City Break"), "awarded");
  EXPECT_EQ(find("card", "a cardigan"), "");  // a longer word is not a plural
  EXPECT_EQ(find("cards", "one card"), "");    // nor the other way round
}

TEST(Phrases, AGapSkipsUpToThreeWordsWithinASentence) {
  EXPECT_EQ(find("reply with ... code", "Reply with the 6-digit code we sent"), "reply with the 6 digit code");
  EXPECT_EQ(find("reply with ... code", "reply with code"), "reply with code");
  EXPECT_EQ(find("reply with ... code", "reply with the new six digit code"), "");  // four words
  EXPECT_EQ(find("reply with ... code", "Reply with YES. The code is 1234"), "");     // crosses a sentence
}

TEST(Phrases, ANegationJustBeforeMakesItAdvice) {
  EXPECT_EQ(find("share the code", "Never share the code with anyone"), "");
  EXPECT_EQ(find("share the code", "Do not share the code"), "");
  EXPECT_EQ(find("share the code", "don't ever share the code"), "");
  EXPECT_EQ(find("share the code", "Do not ignore this. Share the code now"), "share the code");
  EXPECT_EQ(find("share the code", "not urgent, share the code when you can"), "share the code");
  // The same phrase later in the message still counts.
  EXPECT_EQ(find("send the code", "never send the code by email; send the code here"), "send the code");
}

TEST(Phrases, GroupsReportTheirFirstMatchInReadingOrder) {
  PhraseSet set;
  set.add("gift card", 0);
  set.add("are you available", 1);
  set.add("in a meeting", 1);
  set.add("never used", 2);
  auto found = set.first_matches(words_of("In a meeting, are you available? I need gift cards"), 3);
  EXPECT_EQ(found, (std::vector<std::string>{"gift cards", "in a meeting", ""}));
  EXPECT_EQ(set.first_matches(words_of("gift card"), 1).size(), 1u);  // groups past the count are ignored
}

TEST(Phrases, BadPhrasesAreRefusedWithTheReason) {
  EXPECT_EQ(phrase_problem("reply with ... code"), "");
  EXPECT_NE(phrase_problem("... code").find("cannot start or end"), std::string::npos);
  EXPECT_NE(phrase_problem("code ...").find("cannot start or end"), std::string::npos);
  EXPECT_NE(phrase_problem("send ... ... code").find("two '...'"), std::string::npos);
  EXPECT_NE(phrase_problem("!!").find("no words"), std::string::npos);
}

TEST(Phrases, AdversarialInputNeverBreaksTheMatcher) {
  std::string long_text;
  for (int i = 0; i < 20000; ++i) long_text += "reply with the ";
  EXPECT_EQ(find("reply with ... code", long_text), "");  // no runaway backtracking either
  EXPECT_EQ(find("code", "bad \xff\xfe utf8 code"), "code");
  EXPECT_EQ(find("code", std::string("nul\0code", 8)), "code");
  EXPECT_EQ(find("code", "\xe2\x80"), "");  // truncated UTF-8 at the end
}

}  // namespace
}  // namespace wardline::smish
