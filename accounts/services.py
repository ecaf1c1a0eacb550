"""Registration: new users are created in the Cognito user pool, which owns passwords."""

import logging

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings

from todo_project.aws import aws_client
from tracing.metrics import count

logger = logging.getLogger(__name__)


class RegistrationError(Exception):
    """Cognito refused or could not be reached; `field` names the form field to blame."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def cognito_username_taken(username: str) -> bool:
    try:
        aws_client("cognito-idp").admin_get_user(
            UserPoolId=settings.COGNITO_USER_POOL_ID, Username=username
        )
    except ClientError as error:
        if error.response["Error"]["Code"] == "UserNotFoundException":
            return False
        raise
    return True


def cognito_email_taken(email: str) -> bool:
    # The filter value is quoted by Cognito's own grammar; a quote in an email is refused
    # earlier by the form's EmailField.
    response = aws_client("cognito-idp").list_users(
        UserPoolId=settings.COGNITO_USER_POOL_ID, Filter=f'email = "{email}"', Limit=1
    )
    return bool(response["Users"])


def register_user(*, username: str, email: str) -> None:
    """Create the user in Cognito; Cognito emails the temporary password.

    Raises RegistrationError when the name or email is taken or Cognito cannot be reached;
    in that case nothing was created.
    """
    try:
        if cognito_username_taken(username):
            raise RegistrationError("This username is already taken.", field="username")
        if cognito_email_taken(email):
            raise RegistrationError("This email address is already registered.", field="email")
        request = {
            "UserPoolId": settings.COGNITO_USER_POOL_ID,
            "Username": username,
            "UserAttributes": [
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
                {"Name": "name", "Value": username},
            ],
            "DesiredDeliveryMediums": ["EMAIL"],
        }
        if settings.COGNITO_TEMPORARY_PASSWORD:
            request["TemporaryPassword"] = settings.COGNITO_TEMPORARY_PASSWORD
        aws_client("cognito-idp").admin_create_user(**request)
    except ClientError as error:
        code = error.response["Error"]["Code"]
        if code == "UsernameExistsException":
            raise RegistrationError("This username is already taken.", field="username") from error
        logger.warning("Cognito refused registration of %s: %s", username, code)
        raise RegistrationError(
            "Registration is not possible right now. Please try again."
        ) from error
    except BotoCoreError as error:
        logger.warning("Cognito unreachable during registration: %s", error)
        raise RegistrationError(
            "Registration is not possible right now. Please try again."
        ) from error
    logger.info("registered user %s", username)
    count("SignUps")
