// module_test.cpp - the module descriptor and the map contract.
#include "module_fixture.h"

#include <cstring>

namespace regexp_test {
namespace {

class Module : public ModuleTest {};

TEST_F(Module, DescriptorNamesBothTypesAsPatternTables) {
    const ferry_module *m = module();
    EXPECT_EQ(m->abi_major, FERRY_ABI_MAJOR);
    EXPECT_EQ(m->size, sizeof(ferry_module));
    EXPECT_STREQ(m->name, "maps-regexp");
    ASSERT_EQ(m->map_type_count, 2u);
    EXPECT_STREQ(m->map_types[0].type, "regexp");
    EXPECT_STREQ(m->map_types[1].type, "pcre");
    for (int i = 0; i < 2; ++i) {
        EXPECT_EQ(m->map_types[i].props, FERRY_MAP_PROP_PATTERN);
        EXPECT_EQ(m->map_types[i].ops->size, sizeof(ferry_map_ops));
    }
    EXPECT_EQ(m->transport_count, 0u);
}

TEST_F(Module, TablesAreReadOnly) {
    const ferry_map_ops *o = ops("regexp");
    EXPECT_EQ(o->update, nullptr);
    EXPECT_EQ(o->remove, nullptr);
    EXPECT_EQ(o->sequence, nullptr);
    EXPECT_EQ(o->commit, nullptr);
}

TEST_F(Module, RefusesOpenForWriting) {
    std::string path = write_table("/a/ A\n");
    EXPECT_EQ(open_file("regexp", path, FERRY_MAP_READ | FERRY_MAP_WRITE), nullptr);
    EXPECT_EQ(open_error, "regexp:" + path + " map requires O_RDONLY access mode");
    EXPECT_EQ(open_file("pcre", path, FERRY_MAP_CREATE), nullptr);
    EXPECT_EQ(open_error, "pcre:" + path + " map requires O_RDONLY access mode");
}

TEST_F(Module, MissingFileIsAnOpenError) {
    EXPECT_EQ(open_file("regexp", "/nonexistent/table"), nullptr);
    EXPECT_EQ(open_error, "open /nonexistent/table: No such file or directory");
}

TEST_F(Module, UnknownTypeIsAnOpenError) {
    std::string path = write_table("/a/ A\n");
    ferry_host host{};
    host.size = sizeof(host);
    char err[256] = "";
    EXPECT_EQ(ops("regexp")->open("hash", path.c_str(), FERRY_MAP_READ, &host, err,
                                  sizeof(err)),
              nullptr);
    EXPECT_NE(std::strstr(err, "unsupported table type"), nullptr);
}

TEST_F(Module, InlineTableHoldsTheRules) {
    void *h = open_file("pcre", "{ {/^a/ A}, { /^(b)/ B$1 } {if /x/} {endif} }");
    ASSERT_NE(h, nullptr) << open_error;
    EXPECT_EQ(get(h, "abc"), "A");
    EXPECT_EQ(get(h, "bz"), "Bb");
    EXPECT_EQ(open_file("regexp", "{ {/a/ A}, junk }"), nullptr);
    EXPECT_EQ(open_error, "regexp map: no '{' at start of text in \"junk\"");
    EXPECT_EQ(open_file("regexp", "{ {/a/ A}"), nullptr);
    EXPECT_EQ(open_error, "regexp map: missing '}' in \"{ {/a/ A}\"");
}

TEST_F(Module, FirstMatchingRuleWins) {
    void *h = open("regexp", "/^a/ FIRST\n/^ab/ SECOND\n/b/ THIRD\n");
    EXPECT_EQ(get(h, "abc"), "FIRST");
    EXPECT_EQ(get(h, "xb"), "THIRD");
    EXPECT_EQ(get(h, "xyz"), "<notfound>");
}

TEST_F(Module, FoldFlagDoesNotLowercaseKeys) {
    void *h = open("regexp", "/^ABC$/i UPPER_ONLY\n/^abc$/i LOWER_ONLY\n",
                   FERRY_MAP_READ | FERRY_MAP_FOLD);
    EXPECT_EQ(get(h, "ABC"), "UPPER_ONLY");
    EXPECT_EQ(get(h, "abc"), "LOWER_ONLY");
}

TEST_F(Module, EmptyResultIsFoundWithEmptyValue) {
    void *h = open("pcre", "/^(x*)q$/ $1\n");
    Answer a = lookup(h, "q");
    EXPECT_EQ(a.status, FERRY_FOUND);
    EXPECT_EQ(a.value, "");
}

TEST_F(Module, KeyIsReadAsCStringLikePostfix) {
    void *h = open("regexp", "/^ab$/ AB\n");
    EXPECT_EQ(get(h, std::string("ab\0cd", 5)), "AB");
}

TEST_F(Module, HandlesAreIndependent) {
    void *a = open("pcre", "/^(.)/ A$1\n");
    void *b = open("regexp", "/^(..)/ B$1\n");
    EXPECT_EQ(get(a, "xyz"), "Ax");
    EXPECT_EQ(get(b, "xyz"), "Bxy");
    EXPECT_EQ(get(a, "pq"), "Ap");
}

} // namespace
} // namespace regexp_test
