// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Ownable, Ownable2Step} from "@openzeppelin/contracts/access/Ownable2Step.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";
import {ERC721} from "@openzeppelin/contracts/token/ERC721/ERC721.sol";
import {ERC721URIStorage} from "@openzeppelin/contracts/token/ERC721/extensions/ERC721URIStorage.sol";
import {IERC2981} from "@openzeppelin/contracts/interfaces/IERC2981.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";

/// @notice Told by the ticket contract when an event completes, so escrowed sales settle atomically.
interface IEventCompletionHook {
    function onEventCompleted(uint256 eventId) external;
}

/// @title EventTicketNFT
/// @notice ERC-721 tickets for ticketed events. Paid tickets are minted by the PaymentProcessor
/// (the minter); the owner may mint complimentary tickets. Validators check tickets in at gates.
contract EventTicketNFT is ERC721URIStorage, IERC2981, Ownable2Step, Pausable {
    enum EventStatus {
        None,
        Active,
        Cancelled,
        Completed
    }

    struct EventInfo {
        address organizer;
        uint256 maxCapacity;
        uint256 price;
        uint256 sold;
        uint256 checkedIn;
        /// @dev Check-ins of tickets sold through the minter; those are the tickets that carry a stake.
        uint256 paidCheckedIn;
        EventStatus status;
    }

    uint96 public constant ROYALTY_BPS = 500;
    uint256 public constant MAX_BATCH = 10;

    address public minter;
    uint256 public nextTokenId = 1;
    mapping(address => bool) public validators;
    mapping(uint256 => EventInfo) private _events;
    mapping(uint256 => uint256) public ticketEvent;
    mapping(uint256 => bool) public isComplimentary;
    mapping(uint256 => bool) public checkedIn;
    mapping(uint256 => bytes32) public checkInGate;

    event EventCreated(uint256 indexed eventId, address indexed organizer, uint256 maxCapacity, uint256 price);
    event TicketMinted(uint256 indexed eventId, uint256 indexed tokenId, address indexed buyer);
    event TicketBatchMinted(uint256 indexed eventId, uint256[] tokenIds, address indexed buyer);
    event EventCancelled(uint256 indexed eventId);
    event EventCompleted(uint256 indexed eventId);
    event TicketCheckedIn(uint256 indexed tokenId, uint256 indexed eventId, bytes32 gateId, address validator);
    event ValidatorUpdated(address indexed validator, bool status);
    event MinterUpdated(address indexed previousMinter, address indexed newMinter);

    error ZeroAddress();
    error InvalidCapacity();
    error EventAlreadyExists(uint256 eventId);
    error EventNotFound(uint256 eventId);
    error EventNotActive(uint256 eventId);
    error NotOrganizerOrOwner(address caller);
    error NotMinterOrOwner(address caller);
    error NotMinter(address caller);
    error NotValidator(address caller);
    error InvalidQuantity(uint256 quantity);
    error CapacityExceeded(uint256 eventId, uint256 available);
    error TicketNotFound(uint256 tokenId);
    error AlreadyCheckedIn(uint256 tokenId);

    constructor(address initialOwner) ERC721("Event Ticket", "TICKET") Ownable(initialOwner) {}

    // ---------------------------------------------------------------- events

    function createEvent(uint256 eventId, uint256 maxCapacity, uint256 price, address organizer)
        external
        onlyOwner
        whenNotPaused
    {
        if (organizer == address(0)) revert ZeroAddress();
        if (maxCapacity == 0) revert InvalidCapacity();
        if (_events[eventId].status != EventStatus.None) revert EventAlreadyExists(eventId);
        _events[eventId] = EventInfo(organizer, maxCapacity, price, 0, 0, 0, EventStatus.Active);
        emit EventCreated(eventId, organizer, maxCapacity, price);
    }

    function cancelEvent(uint256 eventId) external whenNotPaused {
        EventInfo storage e = _activeEventOfCaller(eventId);
        e.status = EventStatus.Cancelled;
        emit EventCancelled(eventId);
    }

    /// @notice The check-ins recorded on chain are the attendance: completion needs no attendee list.
    function completeEvent(uint256 eventId) external whenNotPaused {
        EventInfo storage e = _activeEventOfCaller(eventId);
        e.status = EventStatus.Completed;
        emit EventCompleted(eventId);
        if (minter != address(0)) IEventCompletionHook(minter).onEventCompleted(eventId);
    }

    // ---------------------------------------------------------------- minting

    /// @notice One ticket emits TicketMinted, several emit one TicketBatchMinted.
    function mintTickets(uint256 eventId, address to, string[] calldata uris)
        external
        whenNotPaused
        returns (uint256[] memory tokenIds)
    {
        bool viaMinter = msg.sender == minter;
        if (!viaMinter && msg.sender != owner()) revert NotMinterOrOwner(msg.sender);
        uint256 quantity = uris.length;
        if (quantity == 0 || quantity > MAX_BATCH) revert InvalidQuantity(quantity);
        EventInfo storage e = _events[eventId];
        if (e.status != EventStatus.Active) revert EventNotActive(eventId);
        if (e.sold + quantity > e.maxCapacity) revert CapacityExceeded(eventId, e.maxCapacity - e.sold);
        e.sold += quantity;

        tokenIds = new uint256[](quantity);
        uint256 tokenId = nextTokenId;
        for (uint256 i; i < quantity; ++i) {
            tokenIds[i] = tokenId;
            ticketEvent[tokenId] = eventId;
            if (!viaMinter) isComplimentary[tokenId] = true;
            _mint(to, tokenId);
            _setTokenURI(tokenId, uris[i]);
            ++tokenId;
        }
        nextTokenId = tokenId;
        if (quantity == 1) emit TicketMinted(eventId, tokenIds[0], to);
        else emit TicketBatchMinted(eventId, tokenIds, to);
    }

    /// @notice Refunds burn the tickets of the refunded payment, wherever they are now.
    function burn(uint256 tokenId) external {
        if (msg.sender != minter) revert NotMinter(msg.sender);
        _burn(tokenId);
    }

    // ---------------------------------------------------------------- gates

    function checkIn(uint256 tokenId, bytes32 gateId) external whenNotPaused {
        if (!validators[msg.sender]) revert NotValidator(msg.sender);
        _requireOwned(tokenId);
        if (checkedIn[tokenId]) revert AlreadyCheckedIn(tokenId);
        uint256 eventId = ticketEvent[tokenId];
        EventInfo storage e = _events[eventId];
        if (e.status != EventStatus.Active) revert EventNotActive(eventId);
        checkedIn[tokenId] = true;
        checkInGate[tokenId] = gateId;
        e.checkedIn += 1;
        if (!isComplimentary[tokenId]) e.paidCheckedIn += 1;
        emit TicketCheckedIn(tokenId, eventId, gateId, msg.sender);
    }

    // ---------------------------------------------------------------- views

    function getEvent(uint256 eventId) external view returns (EventInfo memory) {
        return _events[eventId];
    }

    function royaltyInfo(uint256 tokenId, uint256 salePrice) external view returns (address, uint256) {
        return (_events[ticketEvent[tokenId]].organizer, salePrice * ROYALTY_BPS / 10_000);
    }

    function supportsInterface(bytes4 interfaceId) public view override(ERC721URIStorage, IERC165) returns (bool) {
        return interfaceId == type(IERC2981).interfaceId || super.supportsInterface(interfaceId);
    }

    // ---------------------------------------------------------------- admin

    function setMinter(address newMinter) external onlyOwner {
        emit MinterUpdated(minter, newMinter);
        minter = newMinter;
    }

    function setValidator(address validator, bool status) external onlyOwner {
        if (validator == address(0)) revert ZeroAddress();
        validators[validator] = status;
        emit ValidatorUpdated(validator, status);
    }

    function pause() external onlyOwner {
        _pause();
    }

    function unpause() external onlyOwner {
        _unpause();
    }

    function _activeEventOfCaller(uint256 eventId) private view returns (EventInfo storage e) {
        e = _events[eventId];
        if (e.status == EventStatus.None) revert EventNotFound(eventId);
        if (msg.sender != e.organizer && msg.sender != owner()) revert NotOrganizerOrOwner(msg.sender);
        if (e.status != EventStatus.Active) revert EventNotActive(eventId);
    }

    /// @dev Tickets move freely, but not while the contract is paused (burns by the minter excepted).
    function _update(address to, uint256 tokenId, address auth) internal override returns (address) {
        if (to != address(0)) _requireNotPaused();
        return super._update(to, tokenId, auth);
    }
}
