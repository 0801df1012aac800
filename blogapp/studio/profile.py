"""An employee's public profile: name, job title, bio and photo."""

from blogapp.extensions import db
from blogapp.models import User
from blogapp.names import clean_name, imitates_employee, imitation_message
from blogapp.studio import uploads


class ProfileError(ValueError):
    """A profile change that cannot be made; ``field`` names the form field to blame."""

    def __init__(self, message: str, field: str):
        super().__init__(message)
        self.field = field


def update_profile(
    user: User,
    display_name: str,
    job_title: str,
    bio: str,
    photo=None,
    remove_photo: bool = False,
) -> User:
    """Change what readers see about ``user`` on posts and answers, and commit."""
    display_name = clean_name(display_name)
    if len(display_name) < 2:
        raise ProfileError("Your name needs at least two characters.", "display_name")
    if imitates_employee(display_name, except_user=user):
        raise ProfileError(imitation_message(), "display_name")
    if photo is not None and photo.filename:
        try:
            upload = uploads.store_image(photo.stream, photo.filename, user)
        except uploads.UploadError as error:
            raise ProfileError(str(error), "photo") from None
        user.avatar = upload.stored_name
    elif remove_photo:
        user.avatar = None
    user.display_name = display_name
    user.job_title = job_title.strip() or None
    user.bio = bio.strip() or None
    db.session.commit()
    return user
