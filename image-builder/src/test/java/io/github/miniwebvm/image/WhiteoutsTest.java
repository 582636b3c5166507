package io.github.miniwebvm.image;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class WhiteoutsTest {
    @Test
    void namesAreToldApartAsTheOciSpecSays() {
        assertThat(Whiteouts.kindOf("file")).isEqualTo(Whiteouts.Kind.ENTRY);
        assertThat(Whiteouts.kindOf(".whale")).isEqualTo(Whiteouts.Kind.ENTRY);
        assertThat(Whiteouts.kindOf(".wh..wh..opq")).isEqualTo(Whiteouts.Kind.OPAQUE);
        assertThat(Whiteouts.kindOf(".wh..wh.plnk")).isEqualTo(Whiteouts.Kind.AUFS_METADATA);
        assertThat(Whiteouts.kindOf(".wh..wh.aufs")).isEqualTo(Whiteouts.Kind.AUFS_METADATA);
        assertThat(Whiteouts.kindOf(".wh.file")).isEqualTo(Whiteouts.Kind.DELETES);
        assertThat(Whiteouts.kindOf(".wh..hidden")).isEqualTo(Whiteouts.Kind.DELETES);
        assertThat(Whiteouts.deletedName(".wh..hidden")).isEqualTo(".hidden");
        assertThat(Whiteouts.deleting(".hidden")).isEqualTo(".wh..hidden");
    }

    @Test
    void aWhiteoutOfNoFileIsInvalid() {
        assertThat(Whiteouts.kindOf(".wh.")).isEqualTo(Whiteouts.Kind.INVALID);
        assertThat(Whiteouts.kindOf(".wh..")).isEqualTo(Whiteouts.Kind.INVALID);
        assertThat(Whiteouts.kindOf(".wh...")).isEqualTo(Whiteouts.Kind.INVALID);
    }
}
