// graphql-scalars validate these at the edge: a bad email or date is BAD_USER_INPUT before
// any resolver runs.
export { DateTimeResolver as DateTime, EmailAddressResolver as EmailAddress, PhoneNumberResolver as PhoneNumber } from "graphql-scalars";
