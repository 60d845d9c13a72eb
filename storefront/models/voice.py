"""Her voice: a recorded story (of a garment, or of herself on her profile), with written texts."""
from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storefront.models.base import Base, now_utc


class VoiceStory(Base):
    """One recording, Opus in WebM at MEDIA_ROOT/public/audio/<content_hash>.webm.

    `product_id` NULL is the story on her profile; otherwise the story of that garment. One each: a new
    recording replaces the old one (storefront.voice.stories).
    """
    __tablename__ = "voice_stories"
    __table_args__ = (
        CheckConstraint("duration_ms > 0 AND size_bytes > 0", name="recording_not_empty"),
        Index("ix_voice_stories_artisan_product", "artisan_id", "product_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id", ondelete="CASCADE"))
    product_id: Mapped[Optional[int]] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"),
                                                      index=True)
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    duration_ms: Mapped[int]
    size_bytes: Mapped[int]
    # The language she speaks in it (tzo, tzh, es...); its transcript is the text in that language.
    spoken_language: Mapped[str] = mapped_column(String(8), default="")
    created_at: Mapped[datetime] = mapped_column(default=now_utc)

    texts: Mapped[list["VoiceStoryText"]] = relationship(
        back_populates="story", cascade="all, delete-orphan", order_by="VoiceStoryText.locale")

    def text_in(self, locale):
        return next((t.text for t in self.texts if t.locale == locale and t.text), None)


class VoiceStoryText(Base):
    """What she says, written: the transcript (locale = spoken language) or a translation."""
    __tablename__ = "voice_story_texts"
    __table_args__ = (UniqueConstraint("story_id", "locale"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    story_id: Mapped[int] = mapped_column(ForeignKey("voice_stories.id", ondelete="CASCADE"))
    locale: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)

    story: Mapped[VoiceStory] = relationship(back_populates="texts")


class ScreenGuide(Base):
    """A short spoken explanation of one studio screen in one language, recorded by staff; the studio
    plays the one in her interface language, else the Spanish one (storefront.voice.guides)."""
    __tablename__ = "screen_guides"
    __table_args__ = (
        UniqueConstraint("screen", "language"),
        CheckConstraint("duration_ms > 0 AND size_bytes > 0", name="recording_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    screen: Mapped[str] = mapped_column(String(40))
    language: Mapped[str] = mapped_column(String(8))
    content_hash: Mapped[str] = mapped_column(String(64))
    duration_ms: Mapped[int]
    size_bytes: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)


class ArtisanUpdate(Base):
    """News from her loom: a dated update on her profile (a few words, a photo, a voice note)."""
    __tablename__ = "artisan_updates"
    __table_args__ = (
        CheckConstraint("body <> '' OR photo_hash IS NOT NULL OR voice_hash IS NOT NULL", name="not_empty"),
        Index("ix_artisan_updates_artisan_created", "artisan_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    artisan_id: Mapped[int] = mapped_column(ForeignKey("artisans.id", ondelete="CASCADE"))
    body: Mapped[str] = mapped_column(Text, default="")
    # A photo through the image pipeline (derivatives at MEDIA_ROOT/public/<hash>-<width>.<ext>).
    photo_hash: Mapped[Optional[str]] = mapped_column(String(64))
    photo_path: Mapped[Optional[str]] = mapped_column(String(255))
    photo_width: Mapped[Optional[int]]
    # A voice note through storefront.media.audio.
    voice_hash: Mapped[Optional[str]] = mapped_column(String(64))
    voice_duration_ms: Mapped[Optional[int]]
    created_at: Mapped[datetime] = mapped_column(default=now_utc)
